"""Submissions the registry acknowledged, recorded many at a time.

What :func:`gateway.storage.complaints.mark_submitted` does for one complaint
(tracking ID, ``submitted`` with its due date, a history entry, the citizen's
notify job), done for a batch of complaints with one Core statement each, inside
the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlmodel import col

from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.domain.status import Status, can_transition
from gateway.oversight import aggregate
from gateway.storage.complaints import SUBMITTED_NATIONAL
from gateway.storage.intake import job_row, utcnow
from gateway.storage.models import Complaint, OutboxJob, StatusEvent, event_agency
from gateway.sync import wakeup


@dataclass(frozen=True)
class Submitted:
    """A submission the registry acknowledged: its complaint and tracking ID."""

    complaint_id: str
    tracking_id: str
    at: datetime


def mark_submitted_many(
    session: Session, items: Sequence[Submitted], calendar: HolidayCalendar, sla: SlaPolicy
) -> int:
    """:func:`mark_submitted` for many complaints at once (Core statements, one each
    for the complaints, their history and their notify jobs); how many changed."""
    if not items:
        return 0
    connection = session.connection()
    ids = sorted({item.complaint_id for item in items})
    query = (
        select(
            col(Complaint.id),
            col(Complaint.tenant),
            col(Complaint.status),
            col(Complaint.tracking_id),
            col(Complaint.last_response),
            col(Complaint.agency_code),
            col(Complaint.agency_name),
        )
        .where(col(Complaint.id).in_(ids))
        .order_by(col(Complaint.id))
        .with_for_update()
    )
    current = {row.id: row for row in connection.execute(query)}
    now = utcnow()
    changes: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    notify: list[dict[str, Any]] = []
    for item in items:
        row = current.pop(item.complaint_id, None)
        if row is None or row.tracking_id is not None:
            continue  # gone, or the change feed told us first
        status = Status(row.status)
        if can_transition(status, Status.SUBMITTED):
            status = Status.SUBMITTED
        changes.append(
            {
                "b_id": row.id,
                "tracking_id": item.tracking_id,
                "national_status": SUBMITTED_NATIONAL,
                "submitted_at": item.at,
                "verify_due": sla.verify_due(item.at, calendar),
                "failure_reason": None,
                "status": status.value,
                "updated_at": now,
            }
        )
        history.append(
            {
                "complaint_id": row.id,
                "status": Status.SUBMITTED.value,
                "national_status": SUBMITTED_NATIONAL,
                "response": None,
                "note": f"national tracking ID {item.tracking_id}",
                "source": "gateway",
                "event_key": None,
                "agency_code": event_agency(row.agency_code),
                "at": item.at,
                "recorded_at": now,
            }
        )
        payload = {
            "status": status.value,
            "national_status": SUBMITTED_NATIONAL,
            "tracking_id": item.tracking_id,
            "response": row.last_response,
            "agency_name": row.agency_name,
        }
        notify.append(job_row("notify", row.tenant, row.id, payload, now))
    if changes:
        by_id = col(Complaint.id) == bindparam("b_id")
        connection.execute(update(Complaint).where(by_id), changes)
        connection.execute(insert(StatusEvent), history)
        submitted = [(entry["complaint_id"], entry["at"]) for entry in history]
        aggregate.record_submitted_many(session, submitted, calendar, sla)
        connection.execute(insert(OutboxJob), notify)
        wakeup.announce(session)
    return len(changes)
