"""The date and time a free text names, counted from when the message arrived.

Dates: written ones as :mod:`gateway.domain.dates` reads them (``12/07/2026``,
``12 Juli``, ``tgl 3``: the latest such day not after today); relative ones
("hari ini", "tadi pagi", "kemarin sore", "2 hari lalu", "sejak 3 hari yang lalu",
"Senin kemarin": the latest Monday before today), with Javanese, Sundanese, Minang
and Banjar words for yesterday and last night, and English ("yesterday", "last night",
"3 days ago", "last Monday"). "tadi malam"/"semalam"/"last night" sent before 17:00 is
the day before (the labels' rule says before noon; an afternoon message means the night
before too), from 17:00 on it is the same day. A bare duration ("sudah 2 minggu rusak") names
no date, nor does "besok" or anything after today.

Times: only a stated clock hour ("jam 9", "pukul 14.30", "jam setengah 6" = 05:30,
"jam 2 siang" = 14:00,
"tadi malam jam 9" = 21:00, "9 pm"); the part of the day nearest the hour decides
between morning and evening. A time with no date word is of today, or of yesterday
when it is still to come today; :attr:`When.date_stated` is then False.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from gateway.domain.dates import MONTHS

_WEEKDAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5,
    "minggu": 6, "ahad": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6, "senen": 0, "kemis": 3, "jemuah": 4,
}  # fmt: skip
#: relative words -> days back; None: last night (the day before only in the morning)
_RELATIVE: dict[str, int | None] = {
    "hari ini": 0, "hr ini": 0, "tadi": 0, "td": 0, "tadi pagi": 0, "tadi siang": 0,
    "tadi sore": 0, "td pagi": 0, "td siang": 0, "td sore": 0, "tadi subuh": 0,
    "barusan": 0, "baru saja": 0,
    "pagi ini": 0, "siang ini": 0, "sore ini": 0, "pagi tadi": 0, "siang tadi": 0,
    "sore tadi": 0, "today": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "earlier today": 0, "dino iki": 0, "mau esuk": 0, "mau awan": 0, "mau sore": 0,
    "poe ieu": 0, "tadi isuk": 0, "ari ko": 0, "hari ko": 0,
    "tadi malam": None, "td malam": None, "tadi malem": None, "semalam": None,
    "semalem": None, "smlm": None, "last night": None, "mau bengi": None, "wingi bengi": None,
    "tadi wengi": None, "tadi peuting": None, "tadi malam ko": None, "samalam": None,
    "malam tadi": None, "malam ini": 0, "tonight": 0,
    "kemarin": 1, "kemaren": 1, "kmrn": 1, "kmren": 1, "kmarin": 1, "kmaren": 1,
    "kemarin pagi": 1, "yesterday": 1, "wingi": 1, "wengi": 1, "kamari": 1, "kapatang": 1,
    "patang": 1, "semalam kemarin": 1, "kemarin dulu": 2, "kemarin lusa": 2, "lusa kemarin": 2,
    "the day before yesterday": 2,
    "seminggu lalu": 7, "seminggu yang lalu": 7, "seminggu yg lalu": 7, "minggu lalu": 7,
    "pekan lalu": 7, "last week": 7, "a week ago": 7, "minggu kemarin": 7, "minggu kmrn": 7,
    "minggu kemaren": 7, "pekan kemarin": 7,
}  # fmt: skip
_UNITS = {
    "hari": 1, "hr": 1, "hri": 1, "harian": 1, "day": 1, "days": 1, "ari": 1,
    "minggu": 7, "mgg": 7, "pekan": 7, "week": 7, "weeks": 7,
    "bulan": 30, "bln": 30, "month": 30, "months": 30,
}  # fmt: skip
_NUMBERS = {
    "se": 1, "satu": 1, "dua": 2, "duo": 2, "tigo": 3, "tiga": 3, "empat": 4, "lima": 5,
    "enam": 6, "tujuh": 7, "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
}  # fmt: skip

_FULL = re.compile(r"\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DAY_MONTH = re.compile(
    r"(?:\b(?:tgl|tanggal|tggl|tg|date|on|pada|sejak|senin|selasa|rabu|kamis|jumat|sabtu|"
    r"minggu|hari|kemarin|kmrn)\.?|\()\s*(\d{1,2})\s*[/\-]\s*(\d{1,2})\b"
)
_WORDS = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s*(?:-|\s)?\s*(?:of\s+)?([a-z]{3,9})\.?(?:\s+(\d{4}))?\b"
)
_MONTH_FIRST = re.compile(r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_TGL = re.compile(r"\b(?:tgl|tanggal|tggl|tg)\.?\s*(\d{1,2})\b(?!\s*[/.\-:]\s*\d)")
_AGO = re.compile(
    r"\b(\d{1,3}|se|satu|dua|duo|tiga|tigo|empat|lima|enam|tujuh|a|one|two|three|four|five)\s*"
    r"(hari|hri|hr|minggu|mgg|pekan|bulan|bln|days?|weeks?|months?|ari)\s*"
    r"(?:yang\s+|yg\s+)?(lalu|yll|kebelakang|ago|nu kalangkung|kapungkur|wingi|lewat)\b"
    r"|\bsejak\s+(\d{1,2}|se|dua|tiga|empat|lima)\s*(hari|hr|minggu|mgg|pekan)\b"
)
_WEEKDAY = re.compile(
    r"\b(?:(hari|hr|pada|last|on|since|sejak|malam|mlm|dari)\s+)?"
    r"(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|senen|kemis|jemuah)"
    r"(?:\s+(kemarin|kemaren|kmrn|lalu|kmarin|malam|pagi|sore|siang|kemarin malam))?\b"
)
_CLOCK = re.compile(
    r"(?<![\d./-])([01]?\d|2[0-3])\s*[.:]\s*([0-5]\d)(?![\d/]|\.\d)\s*(am|pm|a\.m\.|p\.m\.)?"
)
_HOUR = re.compile(
    r"\b(?:jam|jm|pukul|pkl|puku|at|around|sekitar jam|sktr jam)\.?\s*(\d{1,2})(?:\s*(an|-an))?"
    r"(?:\s*[.:]\s*([0-5]\d))?\b(?:\s*(am|pm|a\.m\.|p\.m\.))?|\b(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)"
)
_PARTS = re.compile(
    r"\b(pagi|subuh|siang|sore|petang|malam|malem|mlm|dini hari|morning|afternoon|evening|"
    r"night|tonight|esuk|isuk|awan|bengi|wengi|peuting|beurang|sonten|dalu|baisukan|kamarian|"
    r"malam tadi|pagi|tengah malam|midnight|noon)\b"
)
#: "tadi malam" sent from this hour on is the same day's night; before, the night before
LAST_NIGHT_SAME_DAY_FROM = 17
_HALF = re.compile(r"\b(?:jam|jm|pukul|pkl)\.?\s*(?:setengah|stgh|stg)\s*(\d{1,2})\b")
_RELATIVE_WORDS = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(_RELATIVE, key=len, reverse=True)) + r")\b"
)
_UNTIL = re.compile(r"\b(?:sampai|sampe|smp|sampai dengan|hingga|until|till|smpe)\s+$")
_UNTIL_NOW = frozenset({"hari ini", "hr ini", "today", "malam ini", "sore ini", "siang ini"})
_FUTURE = re.compile(r"\b(?:besok|besuk|lusa|nanti|tomorrow|next|kaina|isuak)\b")


@dataclass(frozen=True)
class When:
    date: date
    time: time | None  # local time in the region's zone, when the text says one
    text: str  # the words it was read from, e.g. "tadi malam jam 9"
    date_stated: bool = True  # False: only a time was said; the date is the latest fitting


def find_when(text: str, *, now: datetime) -> When | None:
    """The incident's date (and time) ``text`` names, or None.

    ``now`` is the moment the message arrived, aware, in the region's zone; relative
    words ("kemarin sore", "tadi malam jam 9") count from it, and a date in the
    future is not an incident's date.
    """
    t = " ".join(text.casefold().replace("\u2019", "'").split())
    today = now.date()
    found = _date(t, now, text)
    clock = _time(t)
    if found is None:
        if clock is None:
            return None
        said, words = clock
        day = today if said <= now.time() else today - timedelta(days=1)
        return When(day, said, words.strip(), date_stated=False)
    day, words = found
    if day > today:
        return None
    moment = clock[0] if clock is not None else None
    if moment is not None and day == today and moment > now.time():
        moment = None  # a time still to come today is not when it happened
    if clock is not None:
        words = f"{words} {clock[1].strip()}"
    return When(day, moment, words)


def _date(t: str, now: datetime, text: str) -> tuple[date, str] | None:
    today = now.date()
    if (m := _ISO.search(t)) is not None and (d := _valid(int(m[1]), int(m[2]), int(m[3]))):
        return d, m[0]
    if (m := _FULL.search(t)) is not None and (d := _valid(_year(m[3]), int(m[2]), int(m[1]))):
        return d, m[0]
    if (m := _DAY_MONTH.search(t)) is not None and (d := _latest(int(m[2]), int(m[1]), today)):
        return d, m[0]
    for m in _WORDS.finditer(t):
        month = MONTHS.get(m[2])
        if month is None:
            continue
        d = _valid(int(m[3]), month, int(m[1])) if m[3] else _latest(month, int(m[1]), today)
        if d is not None:
            return d, m[0]
    for m in _MONTH_FIRST.finditer(t):  # "July 12", "Juli 12, 2026"
        month = MONTHS.get(m[1])
        if month is None or (month == 5 and m[1] == "mei" and not m[3]):
            continue
        day = int(m[2])
        d = _valid(int(m[3]), month, day) if m[3] else _latest(month, day, today)
        if d is not None:
            return d, m[0]
    if (m := _TGL.search(t)) is not None:
        day = int(m[1])
        for back in range(0, 3):
            month, year = today.month - back, today.year
            if month < 1:
                month, year = month + 12, year - 1
            d = _valid(year, month, day)
            if d is not None and d <= today:
                return d, m[0]
    if (m := _AGO.search(t)) is not None:
        count, unit = (m[1], m[2]) if m[1] else (m[4], m[5])
        n = int(count) if count.isdigit() else _NUMBERS[count]
        return today - timedelta(days=n * _UNITS[unit]), m[0]
    if (m := _WEEKDAY.search(t)) is not None and _is_weekday(m, text):
        back = (today.weekday() - _WEEKDAYS[m[2]]) % 7 or 7
        return today - timedelta(days=back), m[0]
    best: tuple[int, str, int | None] | None = None
    for m in _RELATIVE_WORDS.finditer(t):  # the longest phrase, the first of equals
        if _UNTIL.search(t, 0, m.start()) and m[0] in _UNTIL_NOW:
            continue  # "sampai hari ini belum diperbaiki": how long, not when
        if best is None or len(m[0]) > len(best[1]):
            best = (m.start(), m[0], _RELATIVE[m[0]])
    if best is None or (_FUTURE.search(t) and best[1] in ("tadi", "td")):
        return None
    days = best[2]
    if days is None:  # last night: the day before when sent in the morning
        days = 1 if now.hour < LAST_NIGHT_SAME_DAY_FROM else 0
    return today - timedelta(days=days), best[1]


def _is_weekday(m: re.Match[str], text: str) -> bool:
    """ "Senin kemarin", "hari Minggu", "Minggu kemarin", but not "2 minggu", "minggu lalu"
    or "minggu kemarin" (last week: Sunday only when written with a capital)."""
    if m[2] != "minggu":
        return True
    if m[1] in ("hari", "hr", "pada", "malam", "mlm"):
        return True
    return m[3] in ("kemarin", "kmrn", "pagi", "kmarin", "kemaren") and "Minggu" in text


def _time(t: str) -> tuple[time, str] | None:
    hour = minute = None
    meridiem = ""
    at = 0
    if (m := _HALF.search(t)) is not None and 1 <= int(m[1]) <= 24:
        hour, minute, at, words = int(m[1]) - 1, 30, m.start(), m[0]
    elif (m := _CLOCK.search(t)) is not None and not _FULL.search(
        t[max(0, m.start() - 6) : m.end() + 6]
    ):
        hour, minute, meridiem, at, words = int(m[1]), int(m[2]), m[3] or "", m.start(), m[0]
    elif (m := _HOUR.search(t)) is not None:
        if m[1] is not None:
            hour, minute, at, words = int(m[1]), int(m[3] or 0), m.start(), m[0]
            meridiem = m[4] or ""
        else:
            hour, minute, meridiem, at, words = int(m[5]), 0, m[6], m.start(), m[0]
    if hour is None or minute is None or hour > 24:
        return None
    hour %= 24
    if meridiem:
        if hour > 12 or hour == 0:
            return None
        return time(hour % 12 + (12 if meridiem.startswith("p") else 0), minute), words
    part = _nearest_part(t, at)
    if hour < 12 or hour == 12:
        hour = _by_part(hour, part)
    return time(hour, minute), words


def _nearest_part(t: str, at: int) -> str | None:
    best: tuple[int, str] | None = None
    for m in _PARTS.finditer(t):
        distance = abs(m.start() - at)
        if distance <= 40 and (best is None or distance < best[0]):
            best = (distance, m[1])
    return best[1] if best is not None else None


def _by_part(hour: int, part: str | None) -> int:
    if part in ("siang", "awan", "beurang", "afternoon", "noon") and 1 <= hour <= 6:
        return hour + 12
    if part in ("sore", "petang", "sonten", "kamarian", "afternoon", "evening") and 1 <= hour <= 9:
        return hour + 12
    if part in ("malam", "malem", "mlm", "bengi", "wengi", "peuting", "dalu", "night",
                "tonight", "malam tadi", "evening") and 6 <= hour <= 11:  # fmt: skip
        return hour + 12
    if part in ("malam", "malem", "mlm", "tengah malam", "midnight", "night") and hour == 12:
        return 0
    return hour


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _latest(month: int, day: int, today: date) -> date | None:
    """The latest ``day``/``month`` not after ``today``."""
    this_year = _valid(today.year, month, day)
    if this_year is not None and this_year <= today:
        return this_year
    return _valid(today.year - 1, month, day)
