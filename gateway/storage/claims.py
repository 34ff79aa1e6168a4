"""Claiming outbox jobs: a lease on each, and what carrying it out needs of its complaint.

A claim reads each kind of job on its own (index ``ix_outbox_claim``), so it reads
about ``limit`` rows whatever the backlog behind them, and brings each job's
complaint along in the same query (:class:`ComplaintView`). Statements are built
once (Core, bound parameters). See :mod:`gateway.storage.outbox`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, Update, bindparam, case, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import Complaint, OutboxJob

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
#: not a state: the job goes back to ``pending`` unattempted (claimed, never started)
RELEASED = "released"


@dataclass(frozen=True)
class ComplaintView:
    """What carrying a job out needs of its complaint, as it was at the claim."""

    id: str
    tenant: str
    channel: str
    source_ref: str
    external_ref: str
    title: str
    content: str
    classification: str
    topic_id: int | None
    agency_code: str | None
    region_code: str
    location_text: str | None
    latitude: float | None
    longitude: float | None
    incident_date: date | None
    anonymous: bool
    confidential: bool
    reporter_name: str | None
    reporter_phone: str | None
    reporter_email: str | None
    attachments: str
    language: str
    tracking_id: str | None


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    tenant: str
    complaint_id: str
    payload: dict[str, Any]
    attempts: int
    ambiguous: bool
    owner: str
    claimed_at: datetime
    #: the job's complaint as it was at the claim (None if it does not exist)
    complaint: ComplaintView | None = field(default=None, compare=False, repr=False)


_JOB = ("id", "kind", "tenant", "complaint_id", "payload", "attempts", "ambiguous", "state")
_VIEW = tuple(f.name for f in dataclasses.fields(ComplaintView))


def claim(
    factory: sessionmaker[Session],
    owner: str,
    limit: int,
    lease_seconds: float,
    *,
    tenants: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
) -> list[ClaimedJob]:
    """Lease up to ``limit`` due jobs: expired leases first, then the oldest due. Each
    kind is read on its own (index ``ix_outbox_claim``), so a claim reads about
    ``limit`` rows whatever the backlog behind them."""
    now = utcnow()
    params: dict[str, Any] = {"now": now, "limit": limit, "tenants": list(tenants or ())}
    with transaction(factory) as session:
        connection = session.connection()
        taken_over: list[Any] = []
        pending: list[Any] = []
        every_kind: Sequence[str | None] = kinds or [None]
        for kind in every_kind:
            where = {**params, "kind": kind}
            query = _due_query(RUNNING, tenants is not None, kind is not None)
            taken_over += connection.execute(query, where).all()
            query = _due_query(PENDING, tenants is not None, kind is not None)
            pending += connection.execute(query, where).all()
        if len(every_kind) > 1:
            pending.sort(key=lambda row: row.next_attempt_at)
        rows = (taken_over + pending)[:limit]
        if not rows:
            return []
        expires = now + timedelta(seconds=lease_seconds)
        connection.execute(
            _claim_update(),
            {"ids": [row.id for row in rows], "owner": owner, "expires": expires, "now": now},
        )
    width = len(_JOB) + 1
    return [
        ClaimedJob(
            id=row.id,
            kind=row.kind,
            tenant=row.tenant,
            complaint_id=row.complaint_id,
            payload=json.loads(row.payload),
            attempts=row.attempts + 1,
            ambiguous=row.ambiguous or row.state == RUNNING,
            owner=owner,
            claimed_at=now,
            complaint=ComplaintView(*row[width:]) if row[width] is not None else None,
        )
        for row in rows
    ]


@cache
def _due_query(state: str, by_tenant: bool, by_kind: bool) -> Select[Any]:
    """Pending jobs that are due, or running jobs whose lease ran out, oldest first."""
    job = OutboxJob
    columns: list[Any] = [col(getattr(job, name)) for name in _JOB] + [col(job.next_attempt_at)]
    columns += [col(getattr(Complaint, name)).label(f"c_{name}") for name in _VIEW]
    query = select(*columns).outerjoin(Complaint, col(Complaint.id) == col(job.complaint_id))
    if state == PENDING:
        query = query.where(col(job.state) == PENDING, col(job.next_attempt_at) <= bindparam("now"))
        query = query.order_by(col(job.next_attempt_at))
    else:
        query = query.where(col(job.state) == RUNNING, col(job.lease_expires_at) < bindparam("now"))
        query = query.order_by(col(job.lease_expires_at))
    if by_tenant:
        query = query.where(col(job.tenant).in_(bindparam("tenants", expanding=True)))
    if by_kind:
        query = query.where(col(job.kind) == bindparam("kind"))
    return query.limit(bindparam("limit")).with_for_update(skip_locked=True, of=OutboxJob)


@cache
def _claim_update() -> Update:
    return (
        update(OutboxJob)
        .where(col(OutboxJob.id).in_(bindparam("ids", expanding=True)))
        .values(
            state=RUNNING,
            lease_owner=bindparam("owner"),
            lease_expires_at=bindparam("expires"),
            attempts=col(OutboxJob.attempts) + 1,
            # a running job whose lease ran out: its last request may have arrived
            ambiguous=case((col(OutboxJob.state) == RUNNING, True), else_=col(OutboxJob.ambiguous)),
            updated_at=bindparam("now"),
        )
    )
