"""Oversight periods: what ``2026-11``, ``2026-Q4``, ``2026`` and
``2026-11-01..2026-11-15`` mean, with their Indonesian labels; :func:`period_label`
and :func:`month_label` say them in English too (the page's and the reports')."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

from gateway.oversight.figures import Period

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
SHORT_MONTHS = (
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
)  # fmt: skip
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
ROMAN = ("I", "II", "III", "IV")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_DATES = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def month_period(year: int, month: int) -> Period:
    return Period(
        date(year, month, 1),
        month_end(year, month),
        f"{MONTHS[month - 1]} {year}",
        f"{year}-{month:02d}",
    )


def _dates_label(start: date, end: date) -> str:
    if start == end:
        return f"{start.day} {MONTHS[start.month - 1]} {start.year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}-{end.day} {MONTHS[end.month - 1]} {end.year}"
    if start.year == end.year:
        return (
            f"{start.day} {MONTHS[start.month - 1]} - {end.day} {MONTHS[end.month - 1]} {end.year}"
        )
    return (
        f"{start.day} {MONTHS[start.month - 1]} {start.year} - "
        f"{end.day} {MONTHS[end.month - 1]} {end.year}"
    )


def parse_period(key: str, today: date) -> Period:
    """The period ``key`` names; an empty key is the month of ``today``.

    ValueError, naming the key, for anything else."""
    text = key.strip()
    if not text:
        return month_period(today.year, today.month)
    try:
        if found := _MONTH.match(text):
            year, month = int(found[1]), int(found[2])
            if not 1 <= month <= 12:
                raise ValueError
            return month_period(year, month)
        if found := _QUARTER.match(text):
            year, quarter = int(found[1]), int(found[2])
            first = 3 * (quarter - 1) + 1
            return Period(
                date(year, first, 1),
                month_end(year, first + 2),
                f"Triwulan {ROMAN[quarter - 1]} {year}",
                f"{year}-Q{quarter}",
            )
        if found := _YEAR.match(text):
            year = int(found[1])
            return Period(date(year, 1, 1), date(year, 12, 31), str(year), str(year))
        if found := _DATES.match(text):
            start, end = date.fromisoformat(found[1]), date.fromisoformat(found[2])
            if end < start:
                raise ValueError
            return Period(start, end, _dates_label(start, end), f"{start}..{end}")
    except ValueError:
        pass
    raise ValueError(
        f"periode {key!r} tidak dikenal: tulis 2026-11 (bulan), 2026-Q4 (triwulan), "
        f"2026 (tahun) atau 2026-11-01..2026-11-15 (tanggal) "
        f"(unknown period {key!r}: use a month, quarter, year or date range)"
    )


def last_twelve_months(period: Period) -> list[Period]:
    """The twelve months ending with the period's last month, oldest first."""
    year, month = period.end.year, period.end.month
    months = []
    for _ in range(12):
        months.append(month_period(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def long_date(day: date, lang: str = "id") -> str:
    """``1 November 2026`` (``lang`` ``en``: in English; else Indonesian)."""
    months = MONTHS_EN if lang == "en" else MONTHS
    return f"{day.day} {months[day.month - 1]} {day.year}"


def period_label(period: Period, lang: str = "id") -> str:
    """The period as a language says it: its own (Indonesian) label, or with ``lang``
    ``en`` "November 2026", "Q4 2026", "2026", "1 November 2026 - 15 November 2026"."""
    if lang != "en":
        return period.label
    key, start, end = period.key, period.start, period.end
    if _MONTH.match(key):
        return f"{MONTHS_EN[start.month - 1]} {start.year}"
    if found := _QUARTER.match(key):
        return f"Q{found[2]} {found[1]}"
    if _YEAR.match(key):
        return key
    return f"{long_date(start, lang)} - {long_date(end, lang)}"


def month_label(key: str, fallback: str, lang: str = "id") -> str:
    """A month of the trend (``2026-11``): its own label ``fallback`` (``Nov 2026``,
    ``Des 2026``), or with ``lang`` ``en`` ``Nov 2026``, ``Dec 2026``."""
    if lang != "en" or not _MONTH.match(key):
        return fallback
    return f"{MONTHS_EN[int(key[5:]) - 1][:3]} {key[:4]}"
