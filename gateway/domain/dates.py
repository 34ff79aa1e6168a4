"""Dates as Indonesians write them: ``12/07/2026``, ``12-7-26``, ``12 Juli 2026``,
``12 Agt``, ``kemarin``, ``2 hari lalu``, ``minggu lalu``, ``today``; times of day as
``14.05``, ``14:05``, ``2.05 PM``, ``jam 2 siang``, ``pukul 19``.

Pure functions over a given ``today`` (a chat's or a file's local date), no clock.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip

_RELATIVE = {
    "hari ini": 0, "hr ini": 0, "tadi": 0, "tadi pagi": 0, "tadi siang": 0,
    "tadi sore": 0, "tadi malam": 0, "barusan": 0, "sekarang": 0, "today": 0, "now": 0,
    "kemarin": 1, "kemaren": 1, "kmrn": 1, "kmarin": 1, "semalam": 1, "tadi malam kemarin": 1,
    "yesterday": 1, "kemarin lusa": 2, "lusa kemarin": 2,
    "minggu lalu": 7, "seminggu lalu": 7, "seminggu yang lalu": 7, "pekan lalu": 7,
    "last week": 7, "bulan lalu": 30, "sebulan lalu": 30, "last month": 30,
}  # fmt: skip
_UNITS = {
    "hari": 1, "hr": 1, "day": 1, "days": 1,
    "minggu": 7, "mgg": 7, "pekan": 7, "week": 7, "weeks": 7,
    "bulan": 30, "bln": 30, "month": 30, "months": 30,
}  # fmt: skip
_NUMERIC = re.compile(r"\b(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2}|\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_WORDS = re.compile(r"\b(\d{1,2})\s+([a-z]{3,9})\.?(?:\s+(\d{4}|\d{2}))?\b")
_AGO = re.compile(
    r"\b(\d{1,3}|se)\s*(hari|hr|minggu|mgg|pekan|bulan|bln|days?|weeks?|months?)\s*"
    r"(?:yang\s+|yg\s+|yl\s+)?(?:lalu|lalu?|kebelakang|ago|yll)\b"
)


def parse_date(text: str, today: date) -> date | None:
    """The date ``text`` names, or None; never a date after ``today``.

    Numeric dates are day first (Indonesian): ``03/04/2026`` is 3 April. A day and
    month without a year is the latest such day not after ``today``.
    """
    t = " ".join(text.casefold().replace(",", " ").split())
    if not t:
        return None
    if (found := _ISO.search(t)) is not None:
        return _valid(int(found[1]), int(found[2]), int(found[3]), today)
    if (found := _NUMERIC.search(t)) is not None:
        return _valid(_year(found[3]), int(found[2]), int(found[1]), today)
    for match in _WORDS.finditer(t):
        month = MONTHS.get(match[2])
        if month is None:
            continue
        day = int(match[1])
        if match[3]:
            return _valid(_year(match[3]), month, day, today)
        candidate = _valid(today.year, month, day, today)
        return candidate if candidate is not None else _valid(today.year - 1, month, day, today)
    if (found := _AGO.search(t)) is not None:
        count = 1 if found[1] == "se" else int(found[1])
        return today - timedelta(days=count * _UNITS[found[2]])
    for phrase in sorted(_RELATIVE, key=len, reverse=True):
        if re.search(rf"\b{re.escape(phrase)}\b", t):
            return today - timedelta(days=_RELATIVE[phrase])
    return None


# a time is not part of a date: ``21.03.2026`` has no time, ``21/03/2026 14.05`` has
_CLOCK = re.compile(
    r"(?<![\d./-])([01]?\d|2[0-3])\s*[.:]\s*([0-5]\d)(?:[.:]([0-5]\d))?(?![\d/-]|\.\d)"
    r"(?:\s*(am|pm|a\.m\.?|p\.m\.?))?"
)
_HOUR = re.compile(r"\b(?:jam|pukul|pkl\.?|at)\s*(\d{1,2})\b|\b(\d{1,2})\s*(am|pm)\b")
_PART_OF_DAY = re.compile(r"\b(pagi|siang|sore|petang|malam|morning|afternoon|evening|night)\b")


def parse_time(text: str) -> time | None:
    """The time of day ``text`` names (to the minute), or None.

    ``14.05``, ``14:05``, ``14.05.30``, ``2.05 PM``, ``2 pm``, ``jam 2 siang`` (14:00),
    ``pukul 7 malam`` (19:00), also after a date (``21/03/2026 14.05``). A dot between
    day, month and year is a date, never a time.
    """
    t = " ".join(text.casefold().split())
    hour = minute = None
    meridiem = ""
    if (found := _CLOCK.search(t)) is not None:
        hour, minute, meridiem = int(found[1]), int(found[2]), (found[4] or "")
    elif (found := _HOUR.search(t)) is not None:
        hour, minute, meridiem = int(found[1] or found[2]), 0, (found[3] or "")
    if hour is None or minute is None or hour > 23:
        return None
    if meridiem:
        if hour > 12 or hour == 0:
            return None
        hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
    elif (part := _PART_OF_DAY.search(t)) is not None and hour < 12:
        evening = part[1] in {"sore", "petang", "afternoon", "evening"}
        night = part[1] in {"malam", "night"} and hour >= 6  # "jam 2 malam" is 02:00
        after_noon = part[1] == "siang" and hour < 11  # "jam 1 siang" is 13:00
        if evening or night or after_noon:
            hour += 12
    return time(hour, minute)


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _valid(year: int, month: int, day: int, today: date) -> date | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return found if found <= today else None


def stored_utc(moment: datetime) -> datetime:
    """A moment read from the database as an aware one (SQLite gives it without its zone:
    it was stored in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
