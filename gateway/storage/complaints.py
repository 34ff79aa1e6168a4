"""Complaint state changes: submission, failure, national changes.

Each function runs inside the caller's transaction, so the state change, its
history entry and the notify job it causes commit together.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session
from sqlmodel import col, select

from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.domain.status import CANONICAL_TO_NATIONAL, Status, can_transition, from_national
from gateway.ports import ChangeEvent
from gateway.storage.intake import new_job, utcnow
from gateway.storage.models import Complaint, StatusEvent
from gateway.sync import wakeup

SUBMITTED_NATIONAL = CANONICAL_TO_NATIONAL[Status.SUBMITTED]


def _history(
    session: Session,
    complaint: Complaint,
    status: Status,
    *,
    source: str,
    at: datetime,
    national_status: str | None = None,
    response: str | None = None,
    note: str | None = None,
    event_key: str | None = None,
) -> None:
    session.add(
        StatusEvent(
            complaint_id=complaint.id,
            status=status.value,
            national_status=national_status,
            response=response,
            note=note,
            source=source,
            event_key=event_key,
            at=at,
            recorded_at=utcnow(),
        )
    )


def _notify(session: Session, complaint: Complaint, now: datetime) -> None:
    wakeup.announce(session)
    session.add(
        new_job(
            "notify",
            complaint.tenant,
            complaint.id,
            {
                "status": complaint.status,
                "national_status": complaint.national_status,
                "tracking_id": complaint.tracking_id,
                "response": complaint.last_response,
                "agency_name": complaint.agency_name,
            },
            now,
        )
    )


def mark_submitted(
    session: Session,
    complaint: Complaint,
    tracking_id: str,
    at: datetime,
    calendar: HolidayCalendar,
    sla: SlaPolicy,
) -> bool:
    """Record the tracking ID; False when the complaint already had one.

    The complaint becomes ``submitted`` whatever the registry says its status is
    now (a look-up after a lost response may find it further along): the change
    feed is the one source of national statuses, so every later step arrives,
    in order, with its agency, response and due date.
    """
    if complaint.tracking_id is not None:
        return False
    now = utcnow()
    complaint.tracking_id = tracking_id
    complaint.national_status = SUBMITTED_NATIONAL
    complaint.submitted_at = at
    complaint.verify_due = sla.verify_due(at, calendar)
    complaint.failure_reason = None
    if can_transition(Status(complaint.status), Status.SUBMITTED):
        complaint.status = Status.SUBMITTED.value
    complaint.updated_at = now
    _history(
        session,
        complaint,
        Status.SUBMITTED,
        source="gateway",
        at=at,
        national_status=SUBMITTED_NATIONAL,
        note=f"national tracking ID {tracking_id}",
    )
    _notify(session, complaint, now)
    return True


def mark_failed(session: Session, complaint_id: str, reason: str) -> None:
    complaint = session.get(Complaint, complaint_id, with_for_update=True)
    if complaint is None or complaint.tracking_id is not None:
        return
    now = utcnow()
    if can_transition(Status(complaint.status), Status.FAILED):
        complaint.status = Status.FAILED.value
    complaint.failure_reason = reason
    complaint.updated_at = now
    _history(session, complaint, Status.FAILED, source="gateway", at=now, note=reason)


def reopen_failed(session: Session, complaint_id: str, now: datetime) -> None:
    complaint = session.get(Complaint, complaint_id, with_for_update=True)
    if complaint is None or complaint.status != Status.FAILED.value:
        return
    complaint.status = Status.RECEIVED.value
    complaint.updated_at = now
    _history(session, complaint, Status.RECEIVED, source="operator", at=now, note="retried")


def _locked(session: Session, tenant: str, condition: ColumnElement[bool]) -> Complaint | None:
    query = select(Complaint).where(col(Complaint.tenant) == tenant, condition).with_for_update()
    return session.scalars(query).first()


def event_key(event: ChangeEvent) -> str:
    digest = hashlib.sha256((event.response or "").encode()).hexdigest()[:16]
    return f"{event.status}:{event.at.isoformat()}:{digest}"


def apply_change(
    session: Session, tenant: str, event: ChangeEvent, calendar: HolidayCalendar, sla: SlaPolicy
) -> str:
    """Apply one national change event; returns what happened (for metrics and logs).

    ``applied``: status or response changed, history written, citizen notified.
    ``unchanged``: nothing new (a replayed or redundant event).
    ``unknown``: no complaint of this tenant has that tracking ID or external_ref.
    ``ignored``: the transition is not allowed from the current status; kept in history.
    """
    complaint = _locked(session, tenant, col(Complaint.tracking_id) == event.tracking_id)
    if complaint is None and event.external_ref:
        complaint = _locked(session, tenant, col(Complaint.external_ref) == event.external_ref)
    if complaint is None:
        return "unknown"
    new_status = from_national(event.status)
    if complaint.tracking_id is None:
        # the submission's response was lost; the feed tells us it arrived
        mark_submitted(session, complaint, event.tracking_id, event.at, calendar, sla)
    key = event_key(event)
    seen = session.scalars(
        select(col(StatusEvent.id)).where(
            col(StatusEvent.complaint_id) == complaint.id, col(StatusEvent.event_key) == key
        )
    ).first()
    if seen is not None:
        return "unchanged"
    current = Status(complaint.status)
    response_changed = bool(event.response) and event.response != complaint.last_response
    agency_changed = bool(event.agency_code) and event.agency_code != complaint.agency_code
    status_changed = new_status != current
    if not (status_changed or response_changed or agency_changed):
        return "unchanged"
    now = utcnow()
    if status_changed and not can_transition(current, new_status):
        _history(
            session,
            complaint,
            new_status,
            source="national",
            at=event.at,
            national_status=event.status,
            response=event.response,
            note=f"not applied: {current} cannot move to {new_status}",
            event_key=key,
        )
        return "ignored"
    complaint.status = new_status.value
    complaint.national_status = event.status
    if event.agency_code:
        complaint.agency_code = event.agency_code
    if event.agency_name:
        complaint.agency_name = event.agency_name
    if response_changed:
        complaint.last_response = event.response
    if new_status == Status.DISPATCHED and status_changed:
        complaint.dispatched_at = event.at
        complaint.follow_up_due = sla.follow_up_due(event.at, calendar)
    complaint.updated_at = now
    _history(
        session,
        complaint,
        new_status,
        source="national",
        at=event.at,
        national_status=event.status,
        response=event.response,
        event_key=key,
    )
    _notify(session, complaint, now)
    return "applied"
