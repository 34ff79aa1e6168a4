"""A call-centre ticket as a complaint: the tenant's field mapping, with the call
centre's wording (the ticket number is its ``source_ref``)."""

from __future__ import annotations

from gateway.fieldmap import FieldMapping as TicketMapping
from gateway.fieldmap import RecordError as TicketError

__all__ = ["TicketError", "TicketMapping"]
