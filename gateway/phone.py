"""Phone numbers as channels write them, normalised to E.164.

Call centres, SMS gateways, Telegram contacts and web forms write the same
Indonesian number in many ways: ``0812-3456-7890``, ``+62 812 3456 7890``,
``6281234567890`` (an SMS gateway's MSISDN), ``(0721) 123456`` (a Lampung
landline). :func:`to_e164` turns all of them into ``+6281234567890`` or raises
:class:`ValueError`; :func:`mask_phone` hides a number for logs and screens.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

INDONESIA_CODE = "62"
MIN_DIGITS = 5
MAX_DIGITS = 15  # E.164's limit, with the country code

_ALLOWED = re.compile(r"^[\d\s().+\-/]+$")
_NON_DIGIT = re.compile(r"\D")
#: figure dash, en dash, em dash, minus sign: written as "-"
_DASHES = str.maketrans({"\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})

# Indonesian national significant numbers: 8 (a regional landline) to 12
# digits (the longest mobile numbers).
ID_MIN_NATIONAL = 8
ID_MAX_NATIONAL = 12

_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "has an unknown country code",
    NumberParseException.NOT_A_NUMBER: "is not a phone number",
    NumberParseException.TOO_SHORT_NSN: "is too short",
    NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
    NumberParseException.TOO_LONG: "is too long",
}

_REASONS = {
    ValidationResult.TOO_SHORT: "is too short",
    ValidationResult.TOO_LONG: "is too long",
    ValidationResult.INVALID_COUNTRY_CODE: "has an unknown country code",
    ValidationResult.INVALID_LENGTH: "has the wrong number of digits",
}


def to_e164(raw: str, default_region: str = "ID") -> str:
    """``raw`` as an E.164 number (``+6281234567890``).

    Numbers without a country code are read in ``default_region``. A number
    that starts with ``62`` but has no ``+`` (an MSISDN as SMS gateways send it)
    is read as Indonesian when ``default_region`` is ``"ID"``. Raises
    :class:`ValueError` saying what is wrong; the message never repeats the
    number.
    """
    text = raw.strip().translate(_DASHES)  # autocorrect writes en dashes in numbers
    if default_region == "ID" and (fast := _fast_mobile(text)) is not None:
        return fast
    if text.lower().startswith("tel:"):
        text = text[4:].strip()
    if not text:
        raise ValueError("phone number is empty")
    if not _ALLOWED.match(text):
        raise ValueError(
            "phone number may contain only digits, spaces, dots, dashes, brackets and '+'"
        )
    digits = _NON_DIGIT.sub("", text)
    if len(digits) < MIN_DIGITS:
        raise ValueError(f"phone number is too short ({len(digits)} digits)")
    if len(digits) > MAX_DIGITS + 2:  # room for a written trunk or exit prefix
        raise ValueError(f"phone number is too long ({len(digits)} digits)")

    reason: str | None = None
    for candidate in _candidates(text, digits, default_region):
        try:
            number = phonenumbers.parse(candidate, default_region)
        except NumberParseException as exc:
            reason = reason or _PARSE_REASONS.get(exc.error_type, "is not a phone number")
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
        reason = reason or _why_invalid(number)
    raise ValueError(f"phone number {reason or 'is not a phone number'}")


# The common case, without phonenumbers' parser (a third of a millisecond a number): an
# Indonesian mobile number (an operator's prefix, 9 to 12 digits after the 0) in the
# forms 0812..., 62812..., +62 812..., with single spaces, dots or dashes between groups.
_MOBILE = re.compile(r"^(?:\+62|62|0)[ .\-]?(8\d\d(?:[ .\-]?\d){6,9})$")
_MOBILE_PREFIXES = frozenset(
    {f"81{d}" for d in "123456789"}
    | {"821", "822", "823", "828", "831", "832", "833", "838"}
    | {"851", "852", "853", "855", "856", "857", "858", "859", "877", "878"}
    | {f"88{d}" for d in "123456789"}
    | {"895", "896", "897", "898", "899"}
)


def _fast_mobile(text: str) -> str | None:
    found = _MOBILE.match(text)
    if found is None:
        return None
    digits = _NON_DIGIT.sub("", found.group(1))
    if digits[:3] not in _MOBILE_PREFIXES or not 9 <= len(digits) <= 12:
        return None  # left to phonenumbers, which says what is wrong
    return f"+62{digits}"


def _why_invalid(number: PhoneNumber) -> str:
    if not number.national_number:
        return "is not a valid number in its numbering plan"
    national = len(str(number.national_number or ""))
    if str(number.country_code) == INDONESIA_CODE:
        if national < ID_MIN_NATIONAL:
            return f"is too short for an Indonesian number ({national} digits after +62)"
        if national > ID_MAX_NATIONAL:
            return f"is too long for an Indonesian number ({national} digits after +62)"
    possible = phonenumbers.is_possible_number_with_reason(number)
    return _REASONS.get(possible, "is not a valid number in its numbering plan")


def _candidates(text: str, digits: str, default_region: str) -> list[str]:
    """The readings of ``text`` to try, most likely first."""
    if text.startswith("+"):
        return [text]
    if default_region.upper() == "ID":
        # "0062 812 ..." is a common (if wrong) way to write the exit prefix.
        if digits.startswith("00" + INDONESIA_CODE):
            return ["+" + digits[2:]]
        # "6281234567890": an MSISDN without its plus; fall back to the
        # national reading for the rare landline written without its trunk 0.
        if digits.startswith(INDONESIA_CODE):
            return ["+" + digits, text]
    return [text]


def mask_phone(e164: str) -> str:
    """``+6281234567890`` as ``+62******90``: country code and last two digits.

    Accepts any written form (read as Indonesian without a country code) and
    never raises: what cannot be read as a number comes back as ``***``.
    """
    text = e164.strip()
    digits = _NON_DIGIT.sub("", text)
    if len(digits) < MIN_DIGITS:
        return "***"
    if not text.startswith("+") and digits.startswith(INDONESIA_CODE):
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else "ID")
    except NumberParseException:
        return "***"
    national = str(number.national_number or "")
    if not number.country_code or len(national) < 4:
        return "***"
    return f"+{number.country_code}******{national[-2:]}"
