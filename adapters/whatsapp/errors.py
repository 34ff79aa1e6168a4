"""Cloud API errors sorted into *retry later* and *permanent*, each with its code.

The codes and their meaning are Meta's, from "Error codes" of the WhatsApp Cloud API
(https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes) and the
Graph API's error handling (https://developers.facebook.com/docs/graph-api/guides/error-handling):
an error body is ``{"error": {"message", "type", "code", "error_subcode",
"error_data": {"messaging_product", "details"}, "fbtrace_id"}}``, and Meta advises
deciding on ``code`` and ``details``, not on the title inside ``message``.

A citizen who blocked the business's number: the Cloud API has no code of its own
for it. A message to such a citizen fails with 131026 "Message undeliverable"
(Meta lists a number not on WhatsApp, terms of service not accepted and an old app
as its reasons; a block is reported the same way), so 131026 counts as *blocked*:
permanent, and the recipient is not written to again until they write first.
131049 ("not delivered to maintain healthy ecosystem engagement", a limit on
marketing messages per user) is not a block: retry later, not sooner than a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.domain.errors import ErrorKind, GatewayError

RETRY_LATER = "retry later"
PERMANENT = "permanent"

#: throughput and rate limits: retry after a pause (seconds, a hint for the outbox)
THROTTLED: dict[int, tuple[str, float]] = {
    4: ("Application request limit reached", 60.0),
    80007: ("WhatsApp Business Account rate limit hit", 60.0),
    130429: ("Cloud API message throughput reached", 1.0),
    131048: ("Spam rate limit hit", 300.0),
    131049: ("Not delivered to maintain healthy ecosystem engagement", 86400.0),
    131056: ("(Business Account, Consumer Account) pair rate limit hit", 6.0),
}
#: temporary failures on Meta's side: retry with back-off
TEMPORARY: dict[int, str] = {
    1: "API unknown (invalid request or possible server error)",
    2: "API service temporarily unavailable",
    131000: "Something went wrong",
    131016: "Service unavailable",
    133004: "Server temporarily unavailable",
}
#: the message will never go through as it is
REFUSED: dict[int, str] = {
    100: "Invalid parameter",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131021: "Recipient cannot be sender",
    131026: "Message undeliverable (not on WhatsApp, or blocked the business)",
    131047: "Re-engagement message: more than 24 hours since the citizen's last message",
    131050: "The citizen stopped marketing messages",
    131051: "Unsupported message type",
    131052: "Media download error",
    131053: "Media upload error",
    132000: "Number of template parameters does not match",
    132001: "Template does not exist (name or language)",
    132005: "Template text too long",
    132007: "Template format character policy violated",
    132012: "Template parameter format mismatch",
    132015: "Template is paused",
    132016: "Template is disabled",
}
#: wrong for every message of the tenant until someone fixes the account or token
ACCOUNT: dict[int, str] = {
    0: "AuthException: the access token could not be verified",
    3: "Capability or permissions issue",
    10: "Permission denied",
    190: "Access token expired or revoked: renew the tenant's token",
    200: "Permission denied",
    368: "Temporarily blocked for policy violations",
    131031: "Business account locked",
    131042: "Business eligibility payment issue",
}
#: the recipient does not take our messages: do not retry, do not write first again
BLOCKED = frozenset({131026, 131050})


@dataclass
class CloudApiError(GatewayError):
    """A failed Graph API call: ``kind`` says what to do, ``code`` is Meta's."""

    code: int | None = None
    title: str = ""
    details: str | None = None
    http_status: int | None = None
    fbtrace_id: str | None = None

    @property
    def verdict(self) -> str:
        return RETRY_LATER if self.should_retry else PERMANENT

    @property
    def blocked(self) -> bool:
        """The citizen cannot or will not receive our messages."""
        return self.code in BLOCKED

    @property
    def account_problem(self) -> bool:
        """Permanent for this message, and every other message of the tenant fails
        alike until its account or token is fixed (190: the token expired)."""
        return self.code in ACCOUNT


def classify(http_status: int, body: Any) -> CloudApiError:
    """The error of a Graph API answer that was not a success."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    raw_code = error.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    trace = error.get("fbtrace_id")
    message = str(error.get("message") or f"HTTP {http_status}")[:300]
    kind, title, retry_after = sort(code, http_status)
    return CloudApiError(
        kind,
        f"WhatsApp Cloud API {code if code is not None else http_status}: {title or message}",
        retry_after=retry_after,
        code=code,
        title=title or message,
        details=str(details)[:500] if details is not None else None,
        http_status=http_status,
        fbtrace_id=str(trace) if trace is not None else None,
    )


def sort(code: int | None, http_status: int) -> tuple[ErrorKind, str, float | None]:
    """A code's kind, title and pause; an unknown code by its HTTP status (5xx and 429:
    retry later, other 4xx: permanent)."""
    if code in THROTTLED:
        title, pause = THROTTLED[code]
        return ErrorKind.THROTTLED, title, pause
    if code in TEMPORARY:
        return ErrorKind.RETRYABLE, TEMPORARY[code], None
    if code in REFUSED:
        return ErrorKind.PERMANENT, REFUSED[code], None
    if code in ACCOUNT:
        return ErrorKind.PERMANENT, ACCOUNT[code], None
    if http_status == 429:
        return ErrorKind.THROTTLED, "", 60.0
    if http_status >= 500:
        return ErrorKind.RETRYABLE, "", None
    return ErrorKind.PERMANENT, "", None


def transport_error(what: str, *, ambiguous: bool) -> CloudApiError:
    """A timeout or a connection failure: retry later; ``ambiguous`` when the request
    may have reached Meta (a send that timed out may have been sent)."""
    return CloudApiError(
        ErrorKind.RETRYABLE, f"WhatsApp Cloud API unreachable: {what}", ambiguous=ambiguous
    )
