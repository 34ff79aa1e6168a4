"""Claiming outbox jobs: a lease on each, and what carrying it out needs of its complaint.

A claim reads each kind of job on its own (index ``ix_outbox_claim``), so it reads
about ``limit`` rows whatever the backlog behind them, and brings each job's
complaint along in the same query (:class:`ComplaintView`). Statements are built
once (Core, bound parameters). See :mod:`gateway.storage.outbox`.

Messages to a citizen go out in order (:mod:`gateway.storage.queues`): of an ordered
kind only the head of each queue is claimed, and superseded notifications are
finished on the way.

Each claimed job carries ``clock``: ``time.monotonic()`` read just before the
lease's start was, so ``clock + lease`` is never later than the lease's end as
the database recorded it, however long the claim's round trip took.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, Update, bindparam, case, false, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlmodel import col

from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.job_states import DONE, FAILED, PENDING, RELEASED, RUNNING
from gateway.storage.models import Complaint, OutboxJob
from gateway.storage.queues import ORDERED_KINDS, chat_key, drop_superseded, queued, status_rank

__all__ = [
    "DONE",
    "FAILED",
    "ORDERED_KINDS",
    "PENDING",
    "RELEASED",
    "RUNNING",
    "ClaimedJob",
    "ComplaintView",
    "chat_key",
    "claim",
    "status_rank",
]


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
    incident_at: datetime | None
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
    #: ``time.monotonic()`` read just before ``claimed_at``: the lease ends no earlier
    #: than ``clock + lease_seconds``
    clock: float
    #: an unfinished message of the same queue waits behind this one (ordered kinds)
    behind: bool = False
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
    ``limit`` rows whatever the backlog behind them. Of an ordered kind, only the
    head of each queue; superseded notifications are finished on the way."""
    clock = time.monotonic()  # first: the lease cannot end before clock + lease_seconds
    now = utcnow()
    params: dict[str, Any] = {"now": now, "limit": limit, "tenants": list(tenants or ())}
    with transaction(factory) as session:
        connection = session.connection()
        for _ in range(_ROUNDS):
            rows = _due_rows(connection, params, tenants is not None, kinds)[:limit]
            dropped = drop_superseded(connection, rows, owner, now)
            if not dropped:
                break
        rows = [row for row in rows if row.id not in dropped]
        if not rows:
            return []
        expires = now + timedelta(seconds=lease_seconds)
        connection.execute(
            _claim_update(),
            {"ids": [row.id for row in rows], "owner": owner, "expires": expires, "now": now},
        )
    width = len(_JOB) + 2
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
            clock=clock,
            behind=bool(row.behind),
            complaint=ComplaintView(*row[width:]) if row[width] is not None else None,
        )
        for row in rows
    ]


#: claims in a row within one transaction while heads of queues turn out superseded
_ROUNDS = 4
#: what a due query reads: jobs of any kind, of one kind, of several kinds
ANY, ONE, MANY = "", "one", "many"


def _due_rows(
    connection: Connection, params: dict[str, Any], by_tenant: bool, kinds: Sequence[str] | None
) -> list[Any]:
    pending: list[Any] = []
    every_kind: Sequence[str | None] = kinds or [None]
    # expired leases are rare: one query for every kind
    ordered = kinds is None or not ORDERED_KINDS.isdisjoint(kinds)
    query = _due_query(RUNNING, by_tenant, ANY if kinds is None else MANY, ordered)
    taken_over = list(connection.execute(query, {**params, "kinds": list(kinds or ())}).all())
    for kind in every_kind:
        where = {**params, "kind": kind}
        ordered = kind is None or kind in ORDERED_KINDS
        query = _due_query(PENDING, by_tenant, ANY if kind is None else ONE, ordered)
        pending += connection.execute(query, where).all()
    if len(every_kind) > 1:
        pending.sort(key=lambda row: row.next_attempt_at)
    return taken_over + pending


@cache
def _due_query(state: str, by_tenant: bool, by_kind: str, ordered: bool) -> Select[Any]:
    """Pending jobs that are due, or running jobs whose lease ran out, oldest first;
    of any kind, ONE (``kind``) or MANY (``kinds``); ``ordered``: of an ordered kind
    only the oldest unfinished job of its queue."""
    job = OutboxJob
    # whether an unfinished job of the same queue waits behind (then, for a notify job,
    # the claim looks whether it is superseded)
    behind: Any = false()
    if ordered:
        behind = queued(aliased(OutboxJob, name="later"), after=True).is_not(None)
    columns: list[Any] = [col(getattr(job, name)) for name in _JOB] + [col(job.next_attempt_at)]
    columns += [behind.label("behind")]
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
    if by_kind == ONE:
        query = query.where(col(job.kind) == bindparam("kind"))
    elif by_kind == MANY:
        query = query.where(col(job.kind).in_(bindparam("kinds", expanding=True)))
    if ordered:
        first = queued(aliased(OutboxJob, name="earlier"), after=False).is_(None)
        if by_kind == ONE:  # the caller claims an ordered kind
            query = query.where(first)
        else:
            kinds = or_(*(col(job.kind) == kind for kind in sorted(ORDERED_KINDS)))
            query = query.where(~kinds | first)
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
