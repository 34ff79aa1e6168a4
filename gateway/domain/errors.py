"""Errors as values with a kind.

Every failure that crosses a boundary (the national registry, a channel, the
intake API) becomes a :class:`GatewayError` whose ``kind`` says what to do:

- ``retryable``: transport failure or 5xx; try again with back-off.
- ``throttled``: 429; try again after ``retry_after`` seconds.
- ``permanent``: the other side refused the content (4xx); an operator must act.
- ``invalid_input``: what we received is wrong; answer the sender with a 4xx.
- ``not_found`` / ``unauthorized`` / ``unavailable``: for the HTTP surface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ErrorKind(StrEnum):
    RETRYABLE = "retryable"
    THROTTLED = "throttled"
    PERMANENT = "permanent"
    INVALID_INPUT = "invalid_input"
    NOT_FOUND = "not_found"
    UNAUTHORIZED = "unauthorized"
    UNAVAILABLE = "unavailable"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA = "unsupported_media"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class GatewayError(Exception):
    kind: ErrorKind
    message: str
    fields: list[FieldError] = field(default_factory=list)
    retry_after: float | None = None
    #: True when the request may have reached the other side (timeout, lost
    #: response): the caller must look it up before sending again.
    ambiguous: bool = False

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.kind.value}: {self.message}"

    @property
    def should_retry(self) -> bool:
        return self.kind in (ErrorKind.RETRYABLE, ErrorKind.THROTTLED)


def invalid(field: str, message: str) -> GatewayError:
    """Bad input naming its field: answered 422 with ``error.fields``."""
    return GatewayError(
        ErrorKind.INVALID_INPUT, f"invalid fields: {field}", [FieldError(field, message)]
    )
