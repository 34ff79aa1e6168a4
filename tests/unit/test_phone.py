"""Phone numbers in every way channels write them."""

from __future__ import annotations

import pytest

from gateway.domain.complaint import E164
from gateway.phone import mask_phone, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # mobile, every written form
        ("0812-3456-7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("0812.3456.7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62-812-3456-7890", "+6281234567890"),
        ("+62 (0) 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),  # an SMS gateway's MSISDN
        ("62 812-3456-7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("  tel:+6281234567890 ", "+6281234567890"),
        ("0812 3456 789", "+628123456789"),  # 11-digit mobile
        ("0857-1234-5678", "+6285712345678"),
        # landlines with area codes
        ("(0721) 781234", "+62721781234"),  # Bandar Lampung
        ("(0721) 123456", "+62721123456"),
        ("0721.781.234", "+62721781234"),
        ("021-5551234", "+62215551234"),  # Jakarta
        ("+62 21 5551234", "+62215551234"),
        ("62 21 5551234", "+62215551234"),
        ("(0511) 3312345", "+625113312345"),  # Banjarmasin
        # foreign numbers keep their country
        ("+1 202 555 0143", "+12025550143"),
    ],
)
def test_to_e164_accepts_messy_inputs(raw: str, expected: str) -> None:
    result = to_e164(raw)
    assert result == expected
    assert E164.match(result)  # what the domain's Reporter accepts


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "only digits"),
        ("0812-3456-78x0", "only digits"),
        ("0800-FLOWERS", "only digits"),  # no vanity numbers
        ("0812", "too short"),
        ("08123", "too short"),
        ("+62", "too short"),
        ("08123456789012345678", "too long"),
        ("0812345", "too short for an Indonesian number"),
        ("+62812345678901234", "too long for an Indonesian number"),
        ("0000000000", "not a valid number"),
        ("+6299912345678", "not a valid number"),  # no such operator
        ("+999 1234 5678", "unknown country code"),
    ],
)
def test_to_e164_rejects_garbage_with_a_clear_message(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        to_e164(raw)
    assert str(caught.value).startswith("phone number ")
    digits = "".join(ch for ch in raw if ch.isdigit())
    if len(digits) >= 5:
        assert digits not in str(caught.value)  # the message never repeats the number


def test_to_e164_other_default_region() -> None:
    assert to_e164("(202) 555-0143", default_region="US") == "+12025550143"
    # "62..." is only an Indonesian MSISDN when reading Indonesian numbers
    assert to_e164("+6281234567890", default_region="US") == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+6281234567890", "+62******90"),
        ("+62721781234", "+62******34"),
        ("+12025550143", "+1******43"),
        ("0812-3456-7890", "+62******90"),
        ("6281234567890", "+62******90"),
        ("", "***"),
        ("hello", "***"),
        ("+62", "***"),
    ],
)
def test_mask_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked
