"""SMS encoding: GSM-7 or UCS-2, the parts a text takes, and fitting a reply.

One SMS carries 160 septets of the GSM 03.38 alphabet, or 70 UTF-16 code units
when a single character is outside it (UCS-2). A concatenated message spends six
bytes of each part on its header, leaving 153 septets or 67 code units per part.
Characters of the extension table (``^{}\\[~]|€``) take an escape septet as well,
and an emoji outside the Basic Multilingual Plane takes two code units; neither
is ever split across parts.

A curly quote or a dash pasted from a word processor turns a whole reply into
UCS-2 and cuts its room by more than half, so :func:`fit` replaces such
typographic characters with their GSM-7 equivalents first. A character with no
equivalent (an emoji, Arabic, ``ā``) keeps the reply in UCS-2.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["gsm7", "ucs2"]

# GSM7_BASIC[n] is the character of septet n; 0x1B is the escape to the
# extension table, not a character a text may hold.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"  # each costs two septets: the escape and itself

SINGLE_PART = {"gsm7": 160, "ucs2": 70}
CONCATENATED_PART = {"gsm7": 153, "ucs2": 67}

_BASIC = frozenset(GSM7_BASIC) - {"\x1b"}
_EXTENSION = frozenset(GSM7_EXTENSION)

# Typographic characters and their GSM-7 equivalents (None: dropped).
_TYPOGRAPHIC = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        "\u2026": "...",
        **dict.fromkeys("\t\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2009\u200a\u202f", " "),
        **dict.fromkeys("\u200b\u2060\ufeff\u00ad", None),
    }
)
# Left at the end of a cut text they would dangle before the marker.
_DANGLING = " \t\r\n\f,;:-(/"


@dataclass(frozen=True)
class Encoded:
    """A text as the SMS parts it takes, in order; ``"".join(parts)`` is the text."""

    encoding: Encoding
    parts: list[str]

    @property
    def count(self) -> int:
        return len(self.parts)


def is_gsm7(text: str) -> bool:
    """Whether ``text`` can go as GSM-7 (the basic alphabet and its extension)."""
    return all(char in _BASIC or char in _EXTENSION for char in text)


def septets(text: str) -> int:
    """``text``'s GSM-7 length; raises :class:`ValueError` if it is not GSM-7."""
    total = 0
    for char in text:
        if char in _BASIC:
            total += 1
        elif char in _EXTENSION:
            total += 2
        else:
            raise ValueError(f"U+{ord(char):04X} is not in the GSM-7 alphabet")
    return total


def split(text: str) -> Encoded:
    """``text`` in the parts it takes, broken after whitespace where a word allows.

    A word longer than a part is cut where the part is full, but never inside an
    escape, a surrogate pair or an emoji's modifier sequence.
    """
    encoding: Encoding = "gsm7" if is_gsm7(text) else "ucs2"
    costs = [_cost(char, encoding) for char in text]
    if sum(costs) <= SINGLE_PART[encoding]:
        return Encoded(encoding, [text])
    limit = CONCATENATED_PART[encoding]
    parts: list[str] = []
    start = 0
    while start < len(text):
        end, used = start, 0
        while end < len(text) and used + costs[end] <= limit:
            used += costs[end]
            end += 1
        if end < len(text):
            end = _break(text, start, end)
        parts.append(text[start:end])
        start = end
    return Encoded(encoding, parts)


def fit(text: str, max_parts: int = 1, marker: str = "..", *, transliterate: bool = True) -> str:
    """``text`` shortened to fit in ``max_parts`` parts, ending in ``marker`` if cut.

    With ``transliterate``, typographic characters (curly quotes, dashes, ``…``,
    non-breaking and other odd spaces) are first replaced by GSM-7 equivalents,
    whether or not the text needs cutting. A text that fits is then returned as it
    is. One that does not is cut at the last word boundary that leaves room for
    ``marker``, with trailing spaces and dangling ``,;:-`` removed; only a first word
    longer than the room is cut inside. The result's own encoding counts: cutting
    off the only emoji lets the rest go as GSM-7.
    """
    if max_parts < 1:
        raise ValueError("max_parts must be at least 1")
    if not is_gsm7(marker):
        raise ValueError("the marker must be GSM-7, or it would force the text into UCS-2")
    if transliterate:
        text = text.translate(_TYPOGRAPHIC)
    if split(text).count <= max_parts:
        return text

    first = next((i for i, char in enumerate(text) if char not in _DANGLING), len(text))
    word_ends = [
        i for i in range(first + 1, len(text)) if text[i].isspace() and not text[i - 1].isspace()
    ]
    cut = _longest_fitting(word_ends, lambda i: text[:i].rstrip(_DANGLING) + marker, max_parts)
    if cut is None:
        inside = [i for i in range(1, len(text)) if not _joined(text[i - 1], text[i])]
        cut = _longest_fitting(inside, lambda i: text[:i] + marker, max_parts)
    if cut is None:
        if split(marker).count > max_parts:
            raise ValueError("the marker alone does not fit")
        return marker
    return cut


def _cost(char: str, encoding: Encoding) -> int:
    if encoding == "gsm7":
        return 2 if char in _EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1  # a surrogate pair in UTF-16


def _break(text: str, start: int, end: int) -> int:
    """Where the part ``text[start:end]``, full, should end instead."""
    for i in range(end, start, -1):
        if (text[i].isspace() or text[i - 1].isspace()) and not text[start:i].isspace():
            return i
    while end - 1 > start and _joined(text[end - 1], text[end]):
        end -= 1
    return end


def _joined(before: str, after: str) -> bool:
    """Whether ``after`` belongs to the same visible character as ``before``."""
    return (
        before == "\u200d"  # zero-width joiner
        or after in "\u200d\ufe0e\ufe0f"  # joiner, variation selectors
        or "\U0001f3fb" <= after <= "\U0001f3ff"  # skin tones
        or unicodedata.combining(after) != 0
    )


def _longest_fitting(
    cuts: Sequence[int], render: Callable[[int], str], max_parts: int
) -> str | None:
    """``render(cut)`` for the last of ``cuts`` whose rendering fits, if any.

    A longer prefix never takes fewer parts, so a binary search finds it.
    """
    best: str | None = None
    low, high = 0, len(cuts)
    while low < high:
        middle = (low + high) // 2
        candidate = render(cuts[middle])
        if split(candidate).count <= max_parts:
            best, low = candidate, middle + 1
        else:
            high = middle
    return best
