"""Days on the console are days in Western Indonesia Time (WIB, UTC+7).

WIB is the zone of the national registry: "today", "the last 7 days" and whether a
due date has passed are all counted in it, whatever the server's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")


def today(now: datetime | None = None) -> date:
    """Today's date in WIB."""
    return (now or datetime.now(UTC)).astimezone(WIB).date()


def start_of(day: date) -> datetime:
    """Midnight WIB of ``day``, in UTC."""
    return datetime.combine(day, time(), WIB).astimezone(UTC)


def last_days(day: date, count: int) -> list[date]:
    """The ``count`` days ending with ``day``, oldest first."""
    return [day - timedelta(days=back) for back in range(count - 1, -1, -1)]
