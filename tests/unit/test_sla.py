"""Working-day due dates around Indonesia's real 2026 holidays.

The 2026 dates are what the ``holidays`` package says (SKB 3 Menteri 2026):
Nyepi Thu 19 March (cuti bersama 18 March), Idul Fitri Sat-Sun 21-22 March
(cuti bersama 20, 23, 24 March), Good Friday 3 April, Independence Day Mon 17 August, Christmas Fri
25 December (cuti bersama Thu 24 December).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import holidays
import pytest

from gateway.calendar import IndonesianCalendar
from gateway.domain.sla import NoHolidays, SlaPolicy, add_working_days, is_working_day

WIB = timezone(timedelta(hours=7))
CALENDAR = IndonesianCalendar()
WITH_CUTI_BERSAMA = IndonesianCalendar(cuti_bersama=True)


@pytest.mark.parametrize(
    ("day", "public", "with_cuti_bersama"),
    [
        (date(2026, 1, 1), True, True),  # Tahun Baru
        (date(2026, 1, 16), True, True),  # Isra Mi'raj
        (date(2026, 2, 17), True, True),  # Imlek
        (date(2026, 3, 18), False, True),  # cuti bersama Nyepi
        (date(2026, 3, 19), True, True),  # Nyepi
        (date(2026, 3, 20), False, True),  # cuti bersama Idul Fitri
        (date(2026, 3, 21), True, True),  # Idul Fitri (a Saturday)
        (date(2026, 3, 22), True, True),  # Idul Fitri, second day
        (date(2026, 3, 23), False, True),  # cuti bersama Idul Fitri
        (date(2026, 3, 24), False, True),  # cuti bersama Idul Fitri
        (date(2026, 3, 25), False, False),
        (date(2026, 4, 3), True, True),  # Wafat Yesus Kristus
        (date(2026, 5, 1), True, True),  # Hari Buruh
        (date(2026, 5, 27), True, True),  # Idul Adha
        (date(2026, 6, 1), True, True),  # Hari Lahir Pancasila
        (date(2026, 8, 17), True, True),  # Hari Kemerdekaan (a Monday)
        (date(2026, 8, 18), False, False),
        (date(2026, 12, 24), False, True),  # cuti bersama Natal
        (date(2026, 12, 25), True, True),  # Natal
        (date(2026, 12, 28), False, False),
        (date(2026, 7, 15), False, False),  # an ordinary Wednesday
    ],
)
def test_indonesian_calendar_2026(day: date, public: bool, with_cuti_bersama: bool) -> None:
    assert CALENDAR.is_holiday(day) is public
    assert WITH_CUTI_BERSAMA.is_holiday(day) is with_cuti_bersama


def test_holiday_names_and_listing() -> None:
    assert CALENDAR.name(date(2026, 8, 17)) == "Independence Day"
    assert CALENDAR.name(date(2026, 12, 25)) == "Christmas Day"
    assert CALENDAR.name(date(2026, 8, 18)) is None
    days = CALENDAR.holidays_in(2026)
    assert days == sorted(days)
    assert {date(2026, 3, 21), date(2026, 8, 17), date(2026, 12, 25)} <= set(days)
    assert all(d.year == 2026 for d in days)


def test_extra_dates_are_holidays() -> None:
    regional = IndonesianCalendar(extra=[date(2026, 7, 15)])  # e.g. a regional anniversary
    assert regional.is_holiday(date(2026, 7, 15))
    assert regional.name(date(2026, 7, 15)) == "extra holiday"
    assert date(2026, 7, 15) in regional.holidays_in(2026)
    assert not CALENDAR.is_holiday(date(2026, 7, 15))


def test_holidays_are_computed_once_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    real = holidays.country_holidays

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    monkeypatch.setattr(holidays, "country_holidays", counting)
    calendar = IndonesianCalendar()
    for offset in range(365):
        calendar.is_holiday(date(2026, 1, 1) + timedelta(days=offset))
    assert calls == [2026]
    calendar.is_holiday(date(2027, 1, 1))
    assert calls == [2026, 2027]


@pytest.mark.parametrize(
    ("start", "days", "no_holidays", "indonesia", "indonesia_cuti_bersama"),
    [
        # Fri + 3 working days = Wed, whatever the calendar, in an ordinary week
        (date(2026, 1, 9), 3, date(2026, 1, 14), date(2026, 1, 14), date(2026, 1, 14)),
        # the start day never counts, not even on a weekend
        (date(2026, 1, 10), 0, date(2026, 1, 10), date(2026, 1, 10), date(2026, 1, 10)),
        (date(2026, 1, 10), 1, date(2026, 1, 12), date(2026, 1, 12), date(2026, 1, 12)),
        # Fri 14 Aug + 1: Mon 17 Aug is Independence Day
        (date(2026, 8, 14), 1, date(2026, 8, 17), date(2026, 8, 18), date(2026, 8, 18)),
        # Wed 18 Mar + 3: Nyepi Thu 19, Idul Fitri on the weekend, cuti bersama 20/23/24
        (date(2026, 3, 18), 3, date(2026, 3, 23), date(2026, 3, 24), date(2026, 3, 27)),
        # Thu 2 Apr + 1: Good Friday
        (date(2026, 4, 2), 1, date(2026, 4, 3), date(2026, 4, 6), date(2026, 4, 6)),
        # Wed 23 Dec + 1: cuti bersama Thu 24, Christmas Fri 25
        (date(2026, 12, 23), 1, date(2026, 12, 24), date(2026, 12, 24), date(2026, 12, 28)),
        # across the new year: Thu 31 Dec 2026 + 1: New Year's Day 2027 is a Friday
        (date(2026, 12, 31), 1, date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 4)),
    ],
)
def test_add_working_days(
    start: date, days: int, no_holidays: date, indonesia: date, indonesia_cuti_bersama: date
) -> None:
    assert add_working_days(start, days, NoHolidays()) == no_holidays
    assert add_working_days(start, days, CALENDAR) == indonesia
    assert add_working_days(start, days, WITH_CUTI_BERSAMA) == indonesia_cuti_bersama


def test_add_working_days_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 1, 9), -1, CALENDAR)


def test_is_working_day() -> None:
    assert is_working_day(date(2026, 8, 18), CALENDAR)
    assert not is_working_day(date(2026, 8, 17), CALENDAR)  # holiday on a Monday
    assert not is_working_day(date(2026, 8, 15), CALENDAR)  # Saturday
    assert is_working_day(date(2026, 8, 17), NoHolidays())


def test_sla_policy_due_dates_around_2026_holidays() -> None:
    policy = SlaPolicy()
    # verify: 3 working days from Thu 13 Aug: Fri 14, (Mon 17 holiday), Tue 18, Wed 19
    assert policy.verify_due(datetime(2026, 8, 13, 16, 0, tzinfo=WIB), CALENDAR) == date(
        2026, 8, 19
    )
    assert policy.verify_due(datetime(2026, 8, 13, 16, 0, tzinfo=WIB), NoHolidays()) == date(
        2026, 8, 18
    )
    # follow-up: 5 working days from Mon 21 Dec: 22, 23, 24, (25 Christmas), 28, 29
    assert policy.follow_up_due(datetime(2026, 12, 21, 9, 0, tzinfo=WIB), CALENDAR) == date(
        2026, 12, 29
    )
    # with cuti bersama, 24 Dec does not count either
    assert policy.follow_up_due(
        datetime(2026, 12, 21, 9, 0, tzinfo=WIB), WITH_CUTI_BERSAMA
    ) == date(2026, 12, 30)
    # auto-close: 10 working days from Mon 16 Mar over Nyepi and Idul Fitri
    assert policy.auto_close_due(datetime(2026, 3, 16, 9, 0, tzinfo=WIB), CALENDAR) == date(
        2026, 3, 31
    )
    # with cuti bersama: 17, (18-24 Nyepi and Idul Fitri), 25, 26, 27, 30, 31,
    # 1 Apr, 2 Apr, (3 Apr Good Friday), 6 Apr, 7 Apr
    assert policy.auto_close_due(
        datetime(2026, 3, 16, 9, 0, tzinfo=WIB), WITH_CUTI_BERSAMA
    ) == date(2026, 4, 7)


def test_sla_policy_with_custom_days() -> None:
    policy = SlaPolicy(verify_days=1, follow_up_days=2, auto_close_days=0)
    at = datetime(2026, 8, 14, 10, 0, tzinfo=WIB)  # Friday
    assert policy.verify_due(at, CALENDAR) == date(2026, 8, 18)
    assert policy.follow_up_due(at, CALENDAR) == date(2026, 8, 19)
    assert policy.auto_close_due(at, CALENDAR) == date(2026, 8, 14)
