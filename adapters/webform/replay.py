"""A quarantined portal record taken again, with the fields an operator corrected.

Pulled records that cannot become complaints are kept ``quarantined``
(:mod:`adapters.webform.pull`). The console's replay merges the operator's
corrections into the stored record and maps it as the pull would: a record that is
still wrong raises :class:`RecordError` naming its field and nothing changes; one
that maps replaces its quarantined row by the complaint's own raw input, as a
corrected record read from the portal does.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from adapters.webform.gaps import GAP
from adapters.webform.service import pull_mappings
from gateway.fieldmap import FieldMapping, RecordError
from gateway.storage.intake import IntakeItem, insert_items
from gateway.storage.models import InboundMessage

if TYPE_CHECKING:
    from gateway.bootstrap import Container

MAX_VALUE = 10_000


def replay(
    container: Container, session: Session, inbound: InboundMessage, edits: dict[str, str]
) -> str | None:
    if inbound.source_ref.startswith(GAP):  # nothing was read: nothing to map again
        raise RecordError("-", "a row that never appeared: check the portal, then dismiss")
    record: dict[str, Any] = json.loads(inbound.payload)
    mapping = _mapping_of(container, inbound, record)
    allowed = set(record) | set(mapping.fields.values())
    for column, value in edits.items():
        if column not in allowed:
            raise RecordError(column, "is not a field of this form's records")
        if len(value) > MAX_VALUE:
            raise RecordError(column, f"is longer than {MAX_VALUE} characters")
        record[column] = value
    today = datetime.now(ZoneInfo(mapping.settings.timezone)).date()
    draft = mapping.draft(record, today)
    if draft.source_ref != inbound.source_ref:
        raise RecordError(mapping.column("source_ref"), "the record's own number cannot change")
    session.delete(inbound)
    session.flush()  # the complaint's raw input takes the same (tenant, channel, source_ref)
    payload = json.dumps(record, ensure_ascii=False)
    (result,) = insert_items(session, [IntakeItem(draft, payload, "application/json")])
    return result.complaint_id


def personal_columns(container: Container, inbound: InboundMessage) -> frozenset[str]:
    """The record's columns mapped to the reporter (name, phone, e-mail, NIK)."""
    try:
        record = json.loads(inbound.payload)
        mapping = _mapping_of(container, inbound, record if isinstance(record, dict) else {})
    except (ValueError, RecordError):
        return frozenset()
    return frozenset(
        mapping.column(f"reporter.{part}") for part in ("name", "phone", "email", "nik")
    )


def _mapping_of(
    container: Container, inbound: InboundMessage, record: dict[str, Any]
) -> FieldMapping:
    """The pulled form the record came from: the tenant's only one, or the one whose
    record number column the record has."""
    forms = [m for m in pull_mappings(container) if m.tenant.id == inbound.tenant]
    if len(forms) > 1:
        forms = [m for m in forms if m.column("source_ref") in record] or forms
    if not forms:
        raise RecordError("-", f"tenant {inbound.tenant} pulls no web form now")
    return forms[0]
