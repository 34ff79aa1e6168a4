"""The complaint status machine mirrored from the national workflow.

See DESIGN.md: national statuses map one-to-one to canonical ones, plus
``received`` (stored, not yet sent) and ``failed`` (an operator must act).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        return self in (Status.RESOLVED, Status.REJECTED)

    @property
    def is_national(self) -> bool:
        return self not in (Status.RECEIVED, Status.FAILED)


def is_finished(status: str) -> bool:
    """Whether a stored status is final (resolved or rejected); an unknown one is not."""
    try:
        return Status(status).is_terminal
    except ValueError:
        return False


NATIONAL_TO_CANONICAL: dict[str, Status] = {
    "belum_terverifikasi": Status.SUBMITTED,
    "terverifikasi": Status.VERIFIED,
    "terdisposisi": Status.DISPATCHED,
    "ditindaklanjuti": Status.IN_PROGRESS,
    "selesai": Status.RESOLVED,
    "diarsipkan": Status.REJECTED,
}
CANONICAL_TO_NATIONAL: dict[Status, str] = {v: k for k, v in NATIONAL_TO_CANONICAL.items()}

# The forward chain of the national workflow. The registry may move a
# complaint several steps between two polls of a lookup, so any forward step
# along the chain is allowed; an agency may hand a complaint on (re-disposition),
# so in_progress may go back to dispatched.
_CHAIN = [
    Status.SUBMITTED,
    Status.VERIFIED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.RESOLVED,
]

_ALLOWED: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({*_CHAIN, Status.REJECTED, Status.FAILED}),
    # a failed submission can be replayed (back to received) or turn out to
    # have reached the registry after all (reconciliation)
    Status.FAILED: frozenset({Status.RECEIVED, *_CHAIN, Status.REJECTED}),
    Status.RESOLVED: frozenset(),
    Status.REJECTED: frozenset(),
}
for _i, _s in enumerate(_CHAIN[:-1]):
    _ALLOWED[_s] = frozenset({*_CHAIN[_i + 1 :], Status.REJECTED})
_ALLOWED[Status.IN_PROGRESS] = _ALLOWED[Status.IN_PROGRESS] | {Status.DISPATCHED}


class InvalidTransition(ValueError):
    def __init__(self, current: Status, new: Status) -> None:
        super().__init__(f"cannot move a complaint from {current} to {new}")
        self.current = current
        self.new = new


def can_transition(current: Status, new: Status) -> bool:
    return new in _ALLOWED[current]


def allowed_from(current: Status) -> frozenset[Status]:
    return _ALLOWED[current]


def transition(current: Status, new: Status) -> Status:
    if not can_transition(current, new):
        raise InvalidTransition(current, new)
    return new


def from_national(national_status: str) -> Status:
    """Map a national status name to the canonical one.

    Unknown national statuses fail loudly: a new status in the registry must be
    mapped here before the gateway can follow it.
    """
    try:
        return NATIONAL_TO_CANONICAL[national_status]
    except KeyError:
        raise ValueError(f"unknown national status {national_status!r}") from None


#: each status in words for citizens: (Bahasa Indonesia, English)
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "received": ("diterima gateway", "received"),
    "submitted": ("terkirim ke SP4N-LAPOR!", "in SP4N-LAPOR!"),
    "verified": ("terverifikasi", "verified"),
    "dispatched": ("diteruskan ke instansi", "forwarded to the agency"),
    "in_progress": ("ditindaklanjuti", "being followed up"),
    "resolved": ("selesai", "resolved"),
    "rejected": ("diarsipkan", "archived"),
    "failed": ("tertunda, sedang ditangani petugas", "held up, an operator is on it"),
}


def status_words(status: str, language: str) -> str:
    """``status`` told to a citizen, in ``language`` (id or en)."""
    indonesian, english = STATUS_WORDS.get(status, (status, status))
    return english if language == "en" else indonesian
