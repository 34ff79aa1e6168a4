"""The domain: canonical complaint schema, status machine and SLA.

Imports the standard library and pydantic only (checked by a test).
"""

from gateway.domain.complaint import (
    Attachment,
    Classification,
    ComplaintDraft,
    Location,
    Reporter,
)
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.status import (
    NATIONAL_TO_CANONICAL,
    InvalidTransition,
    Status,
    can_transition,
    from_national,
)

__all__ = [
    "NATIONAL_TO_CANONICAL",
    "Attachment",
    "Classification",
    "ComplaintDraft",
    "ErrorKind",
    "GatewayError",
    "InvalidTransition",
    "Location",
    "Reporter",
    "Status",
    "can_transition",
    "from_national",
]
