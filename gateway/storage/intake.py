"""Intake: raw input, complaint and its submit job, committed together.

A channel is acknowledged only after :func:`record_complaint` (or
:func:`store_raw` for channels that parse later) has committed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col, select

from gateway.domain.complaint import ComplaintDraft
from gateway.domain.status import Status
from gateway.storage.engine import transaction
from gateway.storage.models import Complaint, InboundMessage, OutboxJob, StatusEvent
from gateway.sync import wakeup


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


def record_complaint(
    factory: sessionmaker[Session], draft: ComplaintDraft, raw_payload: str, content_type: str
) -> IntakeResult:
    """Store the raw input, the complaint and its submit job in one transaction.

    The same ``(tenant, channel, source_ref)`` delivered again, even
    concurrently, returns the complaint that exists and creates nothing.
    """
    existing = find_by_source(factory, draft.tenant, draft.channel, draft.source_ref)
    if existing is not None:
        return existing
    try:
        with transaction(factory) as session:
            result = _insert(session, draft, raw_payload, content_type)
        wakeup.announce_local()
        return result
    except IntegrityError:
        found = find_by_source(factory, draft.tenant, draft.channel, draft.source_ref)
        if found is None:
            raise
        return found


def find_by_source(
    factory: sessionmaker[Session], tenant: str, channel: str, source_ref: str
) -> IntakeResult | None:
    with factory() as session:
        row = session.execute(
            select(col(Complaint.id), col(Complaint.status), col(Complaint.tracking_id)).where(
                col(Complaint.tenant) == tenant,
                col(Complaint.channel) == channel,
                col(Complaint.source_ref) == source_ref,
            )
        ).first()
    if row is None:
        return None
    return IntakeResult(row.id, False, row.status, row.tracking_id)


def _insert(
    session: Session, draft: ComplaintDraft, raw_payload: str, content_type: str
) -> IntakeResult:
    now = utcnow()
    complaint_id = new_id()
    inbound = InboundMessage(
        id=new_id(),
        tenant=draft.tenant,
        channel=draft.channel,
        source_ref=draft.source_ref,
        content_type=content_type,
        payload=raw_payload,
        state="parsed",
        complaint_id=complaint_id,
        received_at=now,
    )
    session.add(inbound)
    session.add(complaint_from_draft(draft, complaint_id, inbound.id, now))
    session.add(
        StatusEvent(
            complaint_id=complaint_id,
            status=Status.RECEIVED.value,
            source="gateway",
            note=f"received on channel {draft.channel}",
            at=now,
            recorded_at=now,
        )
    )
    session.add(new_job("submit", draft.tenant, complaint_id, {}, now))
    session.flush()
    wakeup.announce(session)
    return IntakeResult(complaint_id, True, Status.RECEIVED.value, None)


def complaint_from_draft(
    draft: ComplaintDraft, complaint_id: str, inbound_id: str | None, now: datetime
) -> Complaint:
    reporter = draft.reporter
    location = draft.location
    return Complaint(
        id=complaint_id,
        tenant=draft.tenant,
        channel=draft.channel,
        source_ref=draft.source_ref,
        external_ref=external_ref_for(complaint_id),
        inbound_message_id=inbound_id,
        title=draft.title,
        content=draft.content,
        classification=draft.classification.value,
        topic_id=draft.topic_id,
        agency_code=draft.agency_code,
        region_code=draft.region_code,
        location_text=location.text if location else None,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        incident_date=draft.incident_date,
        anonymous=draft.anonymous,
        confidential=draft.confidential,
        reporter_name=reporter.name if reporter else None,
        reporter_phone=reporter.phone if reporter else None,
        reporter_email=reporter.email if reporter else None,
        reporter_nik=reporter.nik if reporter else None,
        attachments=json.dumps([a.model_dump(exclude_none=True) for a in draft.attachments]),
        language=draft.language.value,
        status=Status.RECEIVED.value,
        created_at=now,
        updated_at=now,
    )


def new_job(
    kind: str, tenant: str, complaint_id: str, payload: dict[str, object], now: datetime
) -> OutboxJob:
    return OutboxJob(
        kind=kind,
        tenant=tenant,
        complaint_id=complaint_id,
        payload=json.dumps(payload, ensure_ascii=False, default=str),
        state="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
