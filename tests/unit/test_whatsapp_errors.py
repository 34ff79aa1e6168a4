"""Cloud API errors sorted into retry later and permanent, each keeping its code."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.whatsapp.errors import PERMANENT, RETRY_LATER, classify
from gateway.domain.errors import ErrorKind


def body(code: int, message: str = "x", details: str = "d") -> dict[str, Any]:
    return {
        "error": {
            "message": f"(#{code}) {message}",
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": details},
            "fbtrace_id": "AbC123",
        }
    }


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (130429, ErrorKind.THROTTLED),
        (131056, ErrorKind.THROTTLED),
        (131048, ErrorKind.THROTTLED),
        (131049, ErrorKind.THROTTLED),
        (80007, ErrorKind.THROTTLED),
        (1, ErrorKind.RETRYABLE),
        (2, ErrorKind.RETRYABLE),
        (131000, ErrorKind.RETRYABLE),
        (131016, ErrorKind.RETRYABLE),
    ],
)
def test_limits_and_temporary_failures_are_retried_later(code: int, kind: ErrorKind) -> None:
    error = classify(400, body(code))
    assert error.kind == kind and error.verdict == RETRY_LATER and error.should_retry
    assert error.code == code and str(code) in error.message
    assert not error.blocked
    if kind == ErrorKind.THROTTLED:
        assert error.retry_after is not None and error.retry_after > 0


@pytest.mark.parametrize(
    "code", [131047, 131026, 132000, 132001, 131051, 100, 190, 131050, 132015, 368]
)
def test_what_will_never_go_through_is_permanent(code: int) -> None:
    error = classify(400, body(code, details="why"))
    assert error.kind == ErrorKind.PERMANENT and error.verdict == PERMANENT
    assert not error.should_retry
    assert (error.code, error.details, error.fbtrace_id, error.http_status) == (
        code,
        "why",
        "AbC123",
        400,
    )


def test_blocked_and_account_problems_are_told_apart() -> None:
    assert classify(400, body(131026)).blocked  # undeliverable: not on WhatsApp, or blocked
    assert classify(400, body(131050)).blocked  # stopped marketing messages
    assert not classify(400, body(131047)).blocked  # outside the window: a template goes
    expired = classify(401, body(190))
    assert expired.account_problem and "token" in expired.title.lower()
    assert not classify(400, body(131026)).account_problem


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (500, ErrorKind.RETRYABLE),
        (503, ErrorKind.RETRYABLE),
        (429, ErrorKind.THROTTLED),
        (400, ErrorKind.PERMANENT),
        (404, ErrorKind.PERMANENT),
    ],
)
def test_an_unknown_code_goes_by_the_http_status(status: int, kind: ErrorKind) -> None:
    assert classify(status, body(999999)).kind == kind
    assert classify(status, None).kind == kind  # no JSON body at all
    assert classify(status, None).code is None


@pytest.mark.parametrize(
    "odd",
    [None, "text", [], {"error": "x"}, {"error": {"code": "131047"}}, {"error": {"code": True}}],
)
def test_odd_error_bodies_are_sorted_by_status_without_an_exception(odd: Any) -> None:
    error = classify(502, odd)
    assert error.kind == ErrorKind.RETRYABLE and error.code is None
