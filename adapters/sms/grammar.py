"""An incoming SMS read as a command: report, status, info, stop or empty.

People type the keywords SMS services taught them, in any case and with any
separator: ``LAPOR jln rusak``, ``lapor#sampah``, ``LAPOR: ...``, ``REG LAPOR ...``,
``STATUS 23456789``, ``cek 2345 6789``, ``INFO``, ``?``, ``UNREG``. A message that
starts with no keyword is a complaint in free text. :func:`parse` decides; the
conversation around it (asking for the text, looking a report up) is the caller's.

How the unclear cases are read:

* A keyword is the whole leading run of letters (after an optional ``/`` or ``#``):
  ``Laporan saya ...`` and ``statusnya gimana`` are free text, ``status23456789``
  asks for a status.
* ``LAPOR`` followed by nothing but punctuation or a greeting (``Lapor.``,
  ``lapor pak``) is a report with empty text: the caller asks for the text.
* ``STATUS``/``CEK`` with a tracking ID anywhere after it asks for that report
  (``status laporan 23456789 sdh sampai mana?``). Digits split by spaces, dots or
  dashes are joined (``2345 6789``, ``2345-6789``; the first 8 digits when more
  groups follow); an alphanumeric ID (``LPR-2026-000123``) has at least as many
  digits as letters, so ``2x24jam`` is no ID, and is uppercased.
* ``STATUS``/``CEK`` without an ID, and ``INFO``/``BANTUAN``/``HELP``, allow up to
  two words beyond polite and question words (``info dong``, ``cek laporan saya``,
  ``info cara lapor gimana?``). A longer message (``Info jalan rusak di depan SDN 2``)
  is free text: sending help to a complaint costs less than filing "info dong".
* ``STOP``/``BERHENTI``/``UNREG`` stop only when nothing but stop words follows
  (``UNREG LAPOR``, ``stop kirim sms``): ``Stop pungli di sekolah`` is a complaint,
  since unsubscribing a citizen by mistake silences the answers to their reports.
* ``REG`` before a keyword is dropped; ``REG`` alone asks for info; ``REG`` before
  anything else is free text.
* A message with no letter or digit is info if it has a question mark (``?``,
  ``??``) and empty otherwise (``...``, an emoji), like a blank one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Command = Literal["report", "status", "info", "stop", "empty"]

TRACKING_ID_MIN = 6
TRACKING_ID_MAX = 20
TRACKING_ID_USUAL = 8  # this system's own IDs, e.g. 23456789
MAX_EXTRA_WORDS = 2  # after INFO or STATUS without an ID; more is a complaint

_KEYWORDS: dict[str, Command] = {
    "lapor": "report",
    "lpr": "report",
    "aduan": "report",
    "status": "status",
    "cek": "status",
    "info": "info",
    "bantuan": "info",
    "help": "info",
    "stop": "stop",
    "berhenti": "stop",
    "unreg": "stop",
}
_REGISTER = "reg"

# Words that carry no content after a keyword: greetings, politeness, questions.
# fmt: off
_GREETINGS = frozenset({
    "pak", "bu", "bapak", "ibu", "kak", "mas", "mbak", "bang", "min", "admin", "dong", "donk",
    "ya", "yah", "nih", "mau", "ingin"
})
_FILLERS = _GREETINGS | frozenset({
    "tolong", "mohon", "please", "sih", "saya", "sy", "aku", "apa", "gimana", "bagaimana",
    "gmn", "cara", "caranya", "lapor", "laporan", "status", "cek", "info", "sms", "layanan",
    "ini", "itu", "no", "nomor", "nmr", "nomer", "id", "kode", "tiket", "saja", "aja", "terima",
    "kasih", "makasih", "trims", "tq"
})
# What may follow STOP: anything else makes the message a complaint.
_STOP_WORDS = frozenset({
    "lapor", "lpr", "aduan", "sms", "semua", "all", "kirim", "pesan", "notif", "notifikasi",
    "langganan", "berlangganan", "layanan", "info", "dulu", "dong", "aja", "saja", "ya", "pak",
    "bu", "min", "terima", "kasih", "makasih", "please"
})
# fmt: on

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff\u00ad"))
_QUOTES = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019", "\u00ab": "\u00bb"}
_SEPARATORS = " #:.,;-_/=*>|~+"
_PUNCTUATION = "#:.,;!?()[]{}\"'*-_/=>|~+\u201c\u201d\u2018\u2019"
_KEYWORD = re.compile(r"[/#]?([^\W\d_]+)")
_DIGIT_GROUP = re.compile(r"\d+(?:[.\-]\d+)*")
_ALNUM_ID = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Parsed:
    """What an SMS asks for."""

    command: Command
    text: str = ""  # the complaint for "report", keyword removed; else ""
    tracking_id: str | None = None  # for "status" with an ID
    keyword: str | None = None  # as typed ("lapor", "CEK", "?"); None for free text


def parse(text: str) -> Parsed:
    """``text`` (an SMS body as received) read as a command; never raises."""
    message = _clean(text)
    if not any(char.isalnum() for char in message):
        return Parsed("info", keyword=message) if "?" in message else Parsed("empty")

    keyword, rest = _keyword(message)
    if keyword is not None and keyword.lower() == _REGISTER:
        if not _words(rest):
            return Parsed("info", keyword=keyword)
        keyword, rest = _keyword(rest.lstrip(_SEPARATORS))
    command = _KEYWORDS.get(keyword.lower()) if keyword is not None else None
    if keyword is None or command is None:
        return Parsed("report", text=message)

    words = _words(rest)
    if command == "report":
        if all(word.lower() in _GREETINGS for word in words):
            return Parsed("report", keyword=keyword)
        return Parsed("report", text=_clean(rest.lstrip(_SEPARATORS)), keyword=keyword)
    if command == "status":
        tracking_id = _tracking_id(words)
        if tracking_id is not None or _extra_words(words) <= MAX_EXTRA_WORDS:
            return Parsed("status", tracking_id=tracking_id, keyword=keyword)
    elif command == "info":
        if _extra_words(words) <= MAX_EXTRA_WORDS:
            return Parsed("info", keyword=keyword)
    elif all(word.lower() in _STOP_WORDS for word in words):
        return Parsed("stop", keyword=keyword)
    return Parsed("report", text=message)


def tracking_id_in(text: str) -> str | None:
    """The first tracking ID in a free text ("gimana laporan 2345 6789 pak?"), or None."""
    return _tracking_id(_words(_clean(text)))


def _clean(text: str) -> str:
    """``text`` with its whitespace collapsed and enclosing quotes removed."""
    text = " ".join(text.translate(_INVISIBLE).split())
    while len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        inner = text[1:-1]
        if text[0] in inner or text[-1] in inner:  # "a" and "b": not one quotation
            break
        text = inner.strip()
    return text


def _keyword(message: str) -> tuple[str | None, str]:
    """The leading word of ``message`` and what follows it."""
    match = _KEYWORD.match(message)
    if match is None:
        return None, message
    return match.group(1), message[match.end() :]


def _words(rest: str) -> list[str]:
    """The words of ``rest`` without the punctuation around them."""
    return [word for word in (token.strip(_PUNCTUATION) for token in rest.split()) if word]


def _extra_words(words: list[str]) -> int:
    return sum(1 for word in words if word.lower() not in _FILLERS)


def _tracking_id(words: list[str]) -> str | None:
    """The first tracking ID among ``words``: digits in groups, or letters and digits."""
    index = 0
    while index < len(words):
        if _DIGIT_GROUP.fullmatch(words[index]):
            groups: list[str] = []
            while index < len(words) and _DIGIT_GROUP.fullmatch(words[index]):
                groups.append(re.sub(r"\D", "", words[index]))
                index += 1
            joined = _join_groups(groups)
            if joined is not None:
                return joined
            continue
        word = words[index]
        if _ALNUM_ID.fullmatch(word) and TRACKING_ID_MIN <= len(word) <= TRACKING_ID_MAX:
            digits = sum(char.isdigit() for char in word)
            if digits and digits >= sum(char.isalpha() for char in word):
                return word.upper()
        index += 1
    return None


def _join_groups(groups: list[str]) -> str | None:
    """``["2345", "6789"]`` as ``"23456789"``, if that is an ID's length."""
    if len(groups[0]) >= TRACKING_ID_MIN:
        joined = groups[0]
    else:
        joined = ""
        for group in groups:
            joined += group
            if len(joined) >= TRACKING_ID_USUAL:
                break
    if TRACKING_ID_MIN <= len(joined) <= TRACKING_ID_MAX:
        return joined
    return None
