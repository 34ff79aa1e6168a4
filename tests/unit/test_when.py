"""The date and time a free text names (gateway.understanding.when), counted from when
the message arrived."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from gateway.understanding.when import find_when

WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
MORNING = datetime(2026, 7, 14, 8, 30, tzinfo=WIB)  # a Tuesday
EVENING = datetime(2026, 7, 14, 20, 45, tzinfo=WIB)


@pytest.mark.parametrize(
    ("text", "now", "day", "clock"),
    [
        # written dates, never in the future
        ("banjir tgl 12/07/2026 jam 14.30", MORNING, date(2026, 7, 12), time(14, 30)),
        ("12-7-26 listrik padam", MORNING, date(2026, 7, 12), None),
        ("sejak 12 Juli jalan ditutup", MORNING, date(2026, 7, 12), None),
        ("25 Desember lalu jembatan putus", MORNING, date(2025, 12, 25), None),  # last year's
        ("tgl 3 kemarin ada pungli", MORNING, date(2026, 7, 3), None),
        ("tgl 20 kmrn", MORNING, date(2026, 6, 20), None),  # the 20th of this month is to come
        ("tanggal 13/7 petugas minta uang", MORNING, date(2026, 7, 13), None),
        # relative days
        ("tadi pagi pipa bocor", MORNING, date(2026, 7, 14), None),
        ("hari ini listrik padam 3 kali", MORNING, date(2026, 7, 14), None),
        ("kemarin sore banjir", MORNING, date(2026, 7, 13), None),
        ("kmrn mlm jam 23.30 ada yg bakar sampah", MORNING, date(2026, 7, 13), time(23, 30)),
        ("2 hari lalu got meluap", MORNING, date(2026, 7, 12), None),
        ("sejak 3 hari yang lalu", MORNING, date(2026, 7, 11), None),
        ("tiga hari yang lalu ada kecelakaan", MORNING, date(2026, 7, 11), None),
        ("seminggu yang lalu jembatan hanyut", MORNING, date(2026, 7, 7), None),
        ("Senin kemarin ada pungli", MORNING, date(2026, 7, 13), None),
        ("hari Selasa", MORNING, date(2026, 7, 7), None),  # the latest Tuesday before today
        ("Sabtu malam jam 8 ada balap liar", MORNING, date(2026, 7, 11), time(20, 0)),
        ("Minggu kemarin lampu lalu lintas mati", MORNING, date(2026, 7, 12), None),
        # last night: the day before in the morning, the same day in the evening
        ("tadi malam jam 9 lampu mati", MORNING, date(2026, 7, 13), time(21, 0)),
        ("semalam banjir", MORNING, date(2026, 7, 13), None),
        ("semalam banjir", EVENING, date(2026, 7, 14), None),
        ("tadi malam jam 8 listrik padam", EVENING, date(2026, 7, 14), time(20, 0)),
        # times: parts of the day
        ("jam 2 siang tadi", EVENING, date(2026, 7, 14), time(14, 0)),
        ("tadi jam 7 pagi", EVENING, date(2026, 7, 14), time(7, 0)),
        ("kemarin pukul 16.45", MORNING, date(2026, 7, 13), time(16, 45)),
        ("kemarin jam 4 sore", MORNING, date(2026, 7, 13), time(16, 0)),
        ("jam setengah 6 tadi subuh", MORNING, date(2026, 7, 14), time(5, 30)),
        ("kemarin jam 12 malam", MORNING, date(2026, 7, 13), time(0, 0)),
        # regional and English
        ("wingi sore jam 4 banjir", MORNING, date(2026, 7, 13), time(16, 0)),
        ("kapatang jam 7 malam listrik mati", MORNING, date(2026, 7, 13), time(19, 0)),
        ("duo hari lalu aia gadang", MORNING, date(2026, 7, 12), None),
        ("yesterday at 9 pm the power went out", MORNING, date(2026, 7, 13), time(21, 0)),
        ("last night at 9", MORNING, date(2026, 7, 13), time(21, 0)),
        ("3 days ago the truck skipped us", MORNING, date(2026, 7, 11), None),
        ("mati sejak kemarin sampai hari ini", MORNING, date(2026, 7, 13), None),
        ("on July 12 the power went out", MORNING, date(2026, 7, 12), None),
        ("Jumat (10/7) banjir", MORNING, date(2026, 7, 10), None),
        ("minggu kemarin lampu mati", MORNING, date(2026, 7, 7), None),  # last week
        ("Minggu kemarin lampu mati", MORNING, date(2026, 7, 12), None),  # Sunday
    ],
)
def test_find_when(text: str, now: datetime, day: date, clock: time | None) -> None:
    found = find_when(text, now=now)
    assert found is not None
    assert (found.date, found.time) == (day, clock)
    assert found.date_stated


@pytest.mark.parametrize(
    "text",
    [
        "sudah 2 minggu rusak",  # a bare duration is no date
        "sebulan ini air keruh",
        "lampu mati terus",
        "besok tolong diperbaiki",  # the future
        "got mampet di RT 03/05",  # RT/RW, not a date
        "harga naik 2 kali lipat",
        "sampai hari ini belum ada perbaikan",  # how long, not when
    ],
)
def test_no_date(text: str) -> None:
    assert find_when(text, now=MORNING) is None


def test_a_date_after_today_is_no_incident_date() -> None:
    assert find_when("banjir 20/07/2026", now=MORNING) is None


def test_a_time_still_to_come_today_is_dropped() -> None:
    found = find_when("hari ini jam 8 malam listrik padam", now=MORNING)
    assert found is not None and found.date == date(2026, 7, 14) and found.time is None


def test_a_time_alone_is_the_latest_such_moment() -> None:
    found = find_when("lampu mati jam 9 malam", now=MORNING)
    assert found is not None
    assert (found.date, found.time, found.date_stated) == (date(2026, 7, 13), time(21, 0), False)
    found = find_when("pukul 07.15 ada tabrakan", now=datetime(2026, 8, 3, 10, 0, tzinfo=WITA))
    assert found is not None
    assert (found.date, found.time) == (date(2026, 8, 3), time(7, 15))
