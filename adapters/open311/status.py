"""Canonical statuses as Open311 tells them: ``open`` or ``closed``.

Every canonical status must be in :data:`OPEN311_STATUS`; a status added to the
domain and forgotten here stops the import (and so start-up), not a request.
"""

from __future__ import annotations

from typing import Literal

from gateway.domain.status import Status

Open311Status = Literal["open", "closed"]

OPEN311_STATUS: dict[Status, Open311Status] = {
    Status.RECEIVED: "open",  # stored by the gateway, not yet in the registry
    Status.SUBMITTED: "open",
    Status.VERIFIED: "open",
    Status.DISPATCHED: "open",
    Status.IN_PROGRESS: "open",  # the agency has responded; not finished
    Status.RESOLVED: "closed",
    Status.REJECTED: "closed",  # archived nationally
    Status.FAILED: "open",  # held up in the gateway; an operator is on it
}

_missing = [s.value for s in Status if s not in OPEN311_STATUS]
if _missing:  # pragma: no cover - a domain change not carried over here
    raise RuntimeError(f"adapters.open311.status: no Open311 status for {', '.join(_missing)}")


def open311_status(status: str) -> Open311Status:
    """``status`` (a canonical one) as Open311's open/closed; unknown text counts as open."""
    try:
        return OPEN311_STATUS[Status(status)]
    except ValueError:
        return "open"


def canonical_statuses(wanted: set[str]) -> list[str]:
    """The canonical statuses that Open311 shows as one of ``wanted`` (open, closed)."""
    return sorted(s.value for s, shown in OPEN311_STATUS.items() if shown in wanted)
