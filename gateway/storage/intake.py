"""Intake: raw input, complaint and its submit job, committed together.

A channel is acknowledged only after :func:`record_complaint` (one complaint) or
:func:`record_many` (several, one transaction: group commit) has committed.
Rows are written with Core ``executemany``: one statement per table per batch.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import SQLModel, col, select

from gateway.domain.complaint import ComplaintDraft
from gateway.domain.status import Status
from gateway.oversight.aggregate import OversightFact, fact_row
from gateway.storage.engine import transaction
from gateway.storage.models import (
    Complaint,
    InboundMessage,
    OutboxJob,
    StatusEvent,
    event_agency,
)
from gateway.sync import wakeup

#: an inbound_message's states: stored, not yet read | taken (a complaint or a command) |
#: deliberately not taken | kept for an operator (cannot be read or mapped)
ACCEPTED, PARSED, IGNORED, QUARANTINED = "accepted", "parsed", "ignored", "quarantined"

Key = tuple[str, str, str]  # (tenant, channel, source_ref)

# the Tables, not the classes: Core executemany, not the ORM's bulk path, in this order
_TABLES = tuple(
    (SQLModel.metadata.tables[model.__tablename__], key)
    for model, key in (
        (InboundMessage, "inbound"),
        (Complaint, "complaint"),
        (StatusEvent, "event"),
        (OutboxJob, "job"),
        (OversightFact, "fact"),
    )
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def external_ref_for(complaint_id: str) -> str:
    """The gateway's own reference, sent with every submission."""
    return f"LGW-{complaint_id}"


@dataclass(frozen=True)
class IntakeResult:
    complaint_id: str
    created: bool
    status: str
    tracking_id: str | None


@dataclass(frozen=True)
class IntakeItem:
    draft: ComplaintDraft
    raw_payload: str
    content_type: str

    @property
    def key(self) -> Key:
        return (self.draft.tenant, self.draft.channel, self.draft.source_ref)


def record_complaint(
    factory: sessionmaker[Session], draft: ComplaintDraft, raw_payload: str, content_type: str
) -> IntakeResult:
    """Store the raw input, the complaint and its submit job in one transaction.

    The same ``(tenant, channel, source_ref)`` delivered again, even
    concurrently, returns the complaint that exists and creates nothing.
    """
    outcome = record_many(factory, [IntakeItem(draft, raw_payload, content_type)])[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def record_many(
    factory: sessionmaker[Session], items: Sequence[IntakeItem]
) -> list[IntakeResult | Exception]:
    """Several intakes in one transaction; one outcome per item, in order.

    Duplicates (already stored, or repeated within ``items``) return the stored
    complaint. If the batch fails for a reason other than the database being
    unreachable (a concurrent insert of the same source, a value the database
    refuses), each item is retried in its own transaction, so one bad item
    fails alone. A database that is down raises for the whole batch.
    """
    try:
        with transaction(factory) as session:
            # optimistic: no look-up first; a source stored before fails the batch on
            # its unique constraint, and the items are then retried one by one
            results = _insert_many(session, items, look_up=False)
    except OperationalError:
        raise
    except (IntegrityError, DBAPIError):
        return [_retry_single(factory, item) for item in items]
    if any(result.created for result in results):
        wakeup.announce_local()
    return list(results)


def _retry_single(factory: sessionmaker[Session], item: IntakeItem) -> IntakeResult | Exception:
    try:
        with transaction(factory) as session:
            result = _insert_many(session, [item], look_up=True)[0]
    except OperationalError:
        raise
    except IntegrityError as exc:  # inserted concurrently by another process
        found = find_by_source(factory, *item.key)
        return found if found is not None else exc
    except DBAPIError as exc:
        return exc
    if result.created:
        wakeup.announce_local()
    return result


def find_by_source(
    factory: sessionmaker[Session], tenant: str, channel: str, source_ref: str
) -> IntakeResult | None:
    with factory() as session:
        found = _existing(session, [(tenant, channel, source_ref)])
    return found.get((tenant, channel, source_ref))


def _existing(session: Session, keys: Sequence[Key]) -> dict[Key, IntakeResult]:
    """Stored complaints among ``keys``: one query per (tenant, channel) present."""
    connection = session.connection()  # Core statements: no ORM compilation per batch
    groups: dict[tuple[str, str], list[str]] = {}
    for tenant, channel, source_ref in keys:
        groups.setdefault((tenant, channel), []).append(source_ref)
    found: dict[Key, IntakeResult] = {}
    for (tenant, channel), refs in groups.items():
        rows = connection.execute(
            select(
                col(Complaint.source_ref),
                col(Complaint.id),
                col(Complaint.status),
                col(Complaint.tracking_id),
            ).where(
                col(Complaint.tenant) == tenant,
                col(Complaint.channel) == channel,
                col(Complaint.source_ref).in_(refs),
            )
        )
        for row in rows:
            found[(tenant, channel, row.source_ref)] = IntakeResult(
                row.id, False, row.status, row.tracking_id
            )
    return found


def _insert_many(
    session: Session, items: Sequence[IntakeItem], *, look_up: bool
) -> list[IntakeResult]:
    """Insert the new ones among ``items``; ``look_up`` finds those stored before."""
    found = _existing(session, [item.key for item in items]) if look_up else {}
    now = utcnow()
    rows: dict[str, list[dict[str, Any]]] = {
        "inbound": [],
        "complaint": [],
        "event": [],
        "job": [],
        "fact": [],
    }
    results: list[IntakeResult] = []
    for item in items:
        known = found.get(item.key)
        if known is not None:
            results.append(known)
            continue
        complaint_id, inbound_id = new_id(), new_id()
        draft = item.draft
        rows["inbound"].append(
            {
                "id": inbound_id,
                "tenant": draft.tenant,
                "channel": draft.channel,
                "source_ref": draft.source_ref,
                "content_type": item.content_type,
                "payload": item.raw_payload,
                "state": PARSED,
                "error": None,
                "complaint_id": complaint_id,
                "received_at": now,
            }
        )
        rows["complaint"].append(complaint_row(draft, complaint_id, inbound_id, now))
        rows["fact"].append(fact_row(rows["complaint"][-1]))
        rows["event"].append(received_event(rows["complaint"][-1]))
        rows["job"].append(job_row("submit", draft.tenant, complaint_id, {}, now))
        created = IntakeResult(complaint_id, True, Status.RECEIVED.value, None)
        found[item.key] = IntakeResult(complaint_id, False, Status.RECEIVED.value, None)
        results.append(created)
    if rows["complaint"]:
        connection = session.connection()
        for table, key in _TABLES:
            connection.execute(insert(table), rows[key])
        wakeup.announce(session)
    return results


def insert_items(session: Session, items: Sequence[IntakeItem]) -> list[IntakeResult]:
    """Insert ``items`` inside the caller's transaction (a channel that commits its own
    state with the complaint); those stored before are returned, not inserted again."""
    return _insert_many(session, items, look_up=True)


@dataclass(frozen=True)
class Accepted:
    """An inbound message stored and not yet taken (a chat channel's queue)."""

    id: str
    tenant: str
    payload: str


def accepted(factory: sessionmaker[Session], channel: str, limit: int = 100) -> list[Accepted]:
    """The ``channel``'s inbound messages stored and not yet taken, oldest first."""
    with factory() as session:
        rows = session.execute(
            select(InboundMessage.id, InboundMessage.tenant, InboundMessage.payload)
            .where(col(InboundMessage.channel) == channel, col(InboundMessage.state) == ACCEPTED)
            .order_by(col(InboundMessage.received_at), col(InboundMessage.id))
            .limit(limit)
        )
        return [Accepted(r.id, r.tenant, r.payload) for r in rows]


def inbound_exists(session: Session, tenant: str, channel: str, source_ref: str) -> bool:
    """Whether this raw input was stored before (a redelivery)."""
    found = session.scalar(
        select(col(InboundMessage.id)).where(
            col(InboundMessage.tenant) == tenant,
            col(InboundMessage.channel) == channel,
            col(InboundMessage.source_ref) == source_ref,
        )
    )
    return found is not None


def add_inbound(
    session: Session,
    tenant: str,
    channel: str,
    source_ref: str,
    payload: str,
    state: str,
    *,
    note: str | None = None,
    complaint_id: str | None = None,
) -> None:
    """A raw input that is not a new complaint (a command, an update, a chat event), in
    the caller's transaction; ``(tenant, channel, source_ref)`` is unique."""
    session.add(
        InboundMessage(
            id=new_id(),
            tenant=tenant,
            channel=channel,
            source_ref=source_ref,
            content_type="application/json",
            payload=payload,
            state=state,
            error=note,
            complaint_id=complaint_id,
            received_at=utcnow(),
        )
    )


def add_job(
    session: Session, kind: str, tenant: str, complaint_id: str, payload: dict[str, Any]
) -> None:
    """One pending outbox job, in the caller's transaction (the dispatcher is woken)."""
    row = job_row(kind, tenant, complaint_id, payload, utcnow())
    session.connection().execute(insert(_TABLES[3][0]), [row])
    wakeup.announce(session)


def received_event(complaint: dict[str, Any]) -> dict[str, Any]:
    """The history's first entry for a complaint being inserted (its table row)."""
    return {
        "complaint_id": complaint["id"],
        "status": Status.RECEIVED.value,
        "national_status": None,
        "response": None,
        "source": "gateway",
        "event_key": None,
        "note": f"received on channel {complaint['channel']}",
        "agency_code": event_agency(complaint["agency_code"]),
        "at": complaint["created_at"],
        "recorded_at": complaint["created_at"],
    }


def complaint_row(
    draft: ComplaintDraft, complaint_id: str, inbound_id: str | None, now: datetime
) -> dict[str, Any]:
    """The complaint table's row for a new complaint from ``draft``."""
    reporter = draft.reporter
    location = draft.location
    return {
        "id": complaint_id,
        "tenant": draft.tenant,
        "channel": draft.channel,
        "source_ref": draft.source_ref,
        "external_ref": external_ref_for(complaint_id),
        "inbound_message_id": inbound_id,
        "title": draft.title,
        "content": draft.content,
        "classification": draft.classification.value,
        "category": draft.category,
        "topic_id": draft.topic_id,
        "topic_source": draft.topic_source.value if draft.topic_source else None,
        "agency_code": draft.agency_code,
        "review_reason": draft.review_reason,
        "region_code": draft.region_code,
        "location_text": location.text if location else None,
        "latitude": location.latitude if location else None,
        "longitude": location.longitude if location else None,
        "incident_date": draft.incident_date,
        "incident_at": draft.incident_at,
        "anonymous": draft.anonymous,
        "confidential": draft.confidential,
        "reporter_name": reporter.name if reporter else None,
        "reporter_phone": reporter.phone if reporter else None,
        "reporter_email": reporter.email if reporter else None,
        "reporter_nik": reporter.nik if reporter else None,
        "attachments": json.dumps(
            [a.model_dump(exclude_none=True) for a in draft.attachments], ensure_ascii=False
        ),
        "language": draft.language.value,
        "status": Status.RECEIVED.value,
        "created_at": now,
        "updated_at": now,
    }


def complaint_from_draft(
    draft: ComplaintDraft, complaint_id: str, inbound_id: str | None, now: datetime
) -> Complaint:
    return Complaint(**complaint_row(draft, complaint_id, inbound_id, now))


def job_row(
    kind: str, tenant: str, complaint_id: str, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The outbox_job table's row for a new pending job (Core inserts)."""
    return {
        "kind": kind,
        "tenant": tenant,
        "complaint_id": complaint_id,
        "payload": json.dumps(payload, ensure_ascii=False, default=str),
        "state": "pending",
        "attempts": 0,
        "ambiguous": False,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def new_job(
    kind: str, tenant: str, complaint_id: str, payload: dict[str, object], now: datetime
) -> OutboxJob:
    return OutboxJob(**job_row(kind, tenant, complaint_id, payload, now))
