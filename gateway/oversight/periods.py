"""Oversight periods: what ``2026-11``, ``2026-Q4``, ``2026`` and
``2026-11-01..2026-11-15`` mean, with their Indonesian labels."""

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
