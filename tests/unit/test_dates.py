"""Indonesian dates as citizens and call-centre exports write them."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.domain.dates import parse_date

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/07/2026", date(2026, 7, 12)),
        ("3-4-26", date(2026, 4, 3)),  # day first
        ("tgl 12.11.2026 jam 14.05", date(2026, 11, 12)),
        ("2026-11-20", date(2026, 11, 20)),
        ("12 Juli 2026", date(2026, 7, 12)),
        ("12 juli", date(2026, 7, 12)),
        ("25 Desember", date(2025, 12, 25)),  # not yet this year: last year's
        ("1 Agt 2025", date(2025, 8, 1)),
        ("17 Agustus 25", date(2025, 8, 17)),
        ("5 Nopember 2026", date(2026, 11, 5)),
        ("hari ini", TODAY),
        ("tadi pagi", TODAY),
        ("kemarin", date(2026, 11, 22)),
        ("kmrn sore", date(2026, 11, 22)),
        ("kemarin lusa", date(2026, 11, 21)),
        ("3 hari lalu", date(2026, 11, 20)),
        ("2 minggu yang lalu", date(2026, 11, 9)),
        ("seminggu lalu", date(2026, 11, 16)),
        ("sebulan yg lalu", date(2026, 10, 24)),
        ("yesterday", date(2026, 11, 22)),
        ("sejak kemarin malam lampu mati", date(2026, 11, 22)),
        ("31/02/2026", None),  # no such day
        ("01/12/2026", None),  # after today
        ("pokoknya sudah lama", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text, TODAY) == expected
