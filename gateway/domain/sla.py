"""Working-day due dates of the national workflow.

National admins verify within 3 working days of submission; the agency follows
up within 5 working days of disposition; a report with a follow-up and no reply
from the citizen for 10 working days is closed. Working days skip weekends and
the public holidays that a :class:`HolidayCalendar` knows (the ``holidays``
package implements it outside the domain).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

VERIFY_WORKING_DAYS = 3
FOLLOW_UP_WORKING_DAYS = 5
AUTO_CLOSE_WORKING_DAYS = 10


class HolidayCalendar(Protocol):
    def is_holiday(self, day: date) -> bool: ...


class NoHolidays:
    def is_holiday(self, day: date) -> bool:
        return False


def is_working_day(day: date, calendar: HolidayCalendar) -> bool:
    return day.weekday() < 5 and not calendar.is_holiday(day)


def add_working_days(start: date, days: int, calendar: HolidayCalendar) -> date:
    """The date that is ``days`` working days after ``start``.

    The day of ``start`` itself never counts, whether or not it is a working
    day: a complaint submitted on Friday evening with 3 days to verify is due on
    Wednesday (Mon, Tue, Wed), later if one of those is a holiday.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current, calendar):
            remaining -= 1
    return current


@dataclass(frozen=True)
class SlaPolicy:
    verify_days: int = VERIFY_WORKING_DAYS
    follow_up_days: int = FOLLOW_UP_WORKING_DAYS
    auto_close_days: int = AUTO_CLOSE_WORKING_DAYS

    def verify_due(self, submitted_at: datetime, calendar: HolidayCalendar) -> date:
        return add_working_days(submitted_at.date(), self.verify_days, calendar)

    def follow_up_due(self, dispatched_at: datetime, calendar: HolidayCalendar) -> date:
        return add_working_days(dispatched_at.date(), self.follow_up_days, calendar)

    def auto_close_due(self, responded_at: datetime, calendar: HolidayCalendar) -> date:
        return add_working_days(responded_at.date(), self.auto_close_days, calendar)
