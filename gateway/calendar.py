"""Indonesia's public holidays, for working-day due dates.

Implements :class:`gateway.domain.sla.HolidayCalendar` with the ``holidays``
package (national holidays per the government's yearly decree). Joint leave
days (*cuti bersama*) for civil servants are not public holidays; include the
package's list of them with ``cuti_bersama=True``, or pass the dates a tenant
observes as ``extra``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date

COUNTRY = "ID"
PUBLIC = "public"
GOVERNMENT = "government"  # the holidays package's category for cuti bersama


class IndonesianCalendar:
    """Holidays of Indonesia, computed once per year and cached."""

    def __init__(self, extra: Iterable[date] = (), *, cuti_bersama: bool = False) -> None:
        self._extra = frozenset(extra)
        self._categories = (PUBLIC, GOVERNMENT) if cuti_bersama else (PUBLIC,)
        self._years: dict[int, dict[date, str]] = {}
        self._lock = threading.Lock()

    def is_holiday(self, day: date) -> bool:
        return day in self._extra or day in self._year(day.year)

    def name(self, day: date) -> str | None:
        """The holiday's name (English), ``"extra holiday"`` for an extra date, else None."""
        found = self._year(day.year).get(day)
        if found is None and day in self._extra:
            return "extra holiday"
        return found

    def holidays_in(self, year: int) -> list[date]:
        """Every holiday of ``year`` (weekends excluded unless they are holidays), sorted."""
        days = set(self._year(year)) | {day for day in self._extra if day.year == year}
        return sorted(days)

    def _year(self, year: int) -> dict[date, str]:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._years.get(year)
            if cached is None:
                import holidays  # at the first due date, not at every start (~70 ms)

                table = holidays.country_holidays(COUNTRY, years=year, categories=self._categories)
                cached = {day: str(label) for day, label in table.items()}
                self._years[year] = cached
        return cached
