"""Complaint state changes: submission, failure, national changes.

Each function runs inside the caller's transaction, so the state change, its
history entry and the notify job it causes commit together.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import select as sa_select
from sqlalchemy.orm import Session
from sqlmodel import col, select

from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.domain.status import (
    CANONICAL_TO_NATIONAL,
    NATIONAL_TO_CANONICAL,
    Status,
    can_transition,
    from_national,
)
from gateway.oversight import aggregate
from gateway.ports import ChangeEvent
from gateway.storage.intake import new_job, utcnow
from gateway.storage.models import Complaint, StatusEvent, event_agency
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
            agency_code=event_agency(complaint.agency_code),
            at=at,
            recorded_at=utcnow(),
        )
    )


def _notify(
    session: Session, complaint: Complaint, now: datetime, *, event: ChangeEvent | None = None
) -> None:
    """Queue the citizen's notification of the complaint as it is now. An archive's
    notification carries the response that came with the archive (the registry's
    reason, or none), never an earlier response (see :func:`gateway.replies.reply_text`)."""
    response = complaint.last_response
    if event is not None and complaint.status == Status.REJECTED.value:
        response = event.response
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
                "response": response,
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
    aggregate.record(session, complaint, Status.SUBMITTED.value, at, calendar, sla)
    _notify(session, complaint, now)
    return True


def lock_many(session: Session, complaint_ids: Iterable[str]) -> dict[str, Complaint]:
    """The complaints with these ids, locked, in id order (one lock order: no deadlock)."""
    ids = sorted(set(complaint_ids))
    if not ids:
        return {}
    query = select(Complaint).where(col(Complaint.id).in_(ids)).order_by(col(Complaint.id))
    return {c.id: c for c in session.scalars(query.with_for_update())}


def mark_failed(session: Session, complaint_id: str, reason: str) -> None:
    complaint = session.get(Complaint, complaint_id, with_for_update=True)
    if complaint is not None:
        fail(session, complaint, reason)


def fail(session: Session, complaint: Complaint, reason: str) -> None:
    """A permanent refusal of the submission, unless it got a tracking ID after all."""
    if complaint.tracking_id is not None:
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


def redundant(session: Session, tenant: str, events: Sequence[ChangeEvent]) -> list[bool]:
    """Per event, whether :func:`apply_change` would certainly find it ``unchanged``.

    Two queries for the whole page, no lock, no ORM: the complaint (by tracking ID)
    already has its tracking ID and the event's status, response and agency, or its
    history has the event. Only the status puller (one at a time) changes those, so
    what was read stays true. A complaint with several events in the page, or not
    found by tracking ID, is left to :func:`apply_change`.
    """
    once = Counter(event.tracking_id for event in events)
    wanted = [e.tracking_id for e in events if once[e.tracking_id] == 1]
    if not wanted:
        return [False] * len(events)
    connection = session.connection()
    found = {
        row.tracking_id: row
        for row in connection.execute(
            sa_select(
                col(Complaint.id),
                col(Complaint.tracking_id),
                col(Complaint.status),
                col(Complaint.last_response),
                col(Complaint.agency_code),
            ).where(col(Complaint.tenant) == tenant, col(Complaint.tracking_id).in_(wanted))
        )
    }
    keys = {event.tracking_id: event_key(event) for event in events}
    seen = set(
        connection.execute(
            sa_select(col(StatusEvent.complaint_id), col(StatusEvent.event_key)).where(
                col(StatusEvent.complaint_id).in_([row.id for row in found.values()]),
                col(StatusEvent.event_key).in_(list(keys.values())),
            )
        ).tuples()
    )
    verdicts = []
    for event in events:
        row = found.get(event.tracking_id) if once[event.tracking_id] == 1 else None
        if row is None or event.status not in NATIONAL_TO_CANONICAL:
            verdicts.append(False)
            continue
        changed = (
            from_national(event.status).value != row.status
            or (bool(event.response) and event.response != row.last_response)
            or (bool(event.agency_code) and event.agency_code != row.agency_code)
        )
        verdicts.append((row.id, keys[event.tracking_id]) in seen or not changed)
    return verdicts


def lock_for(session: Session, tenant: str, events: Sequence[ChangeEvent]) -> None:
    """Lock, in id order, the complaints of ``events`` still without a tracking ID:
    the recorder, which may be recording their submissions now, locks in id order too,
    so the two never wait for each other in a circle (PostgreSQL; SQLite has one writer)."""
    refs = [event.external_ref for event in events if event.external_ref]
    if not refs or session.get_bind().dialect.name != "postgresql":
        return
    query = sa_select(col(Complaint.id)).where(
        col(Complaint.tenant) == tenant,
        col(Complaint.external_ref).in_(refs),
        col(Complaint.tracking_id).is_(None),
    )
    session.execute(query.order_by(col(Complaint.id)).with_for_update())


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
    aggregate.record(session, complaint, new_status.value, event.at, calendar, sla)
    _notify(session, complaint, now, event=event)
    return "applied"
