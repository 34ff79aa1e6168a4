"""The outbox: jobs claimed with a lease, finished only by the lease holder.

On PostgreSQL a claim is ``SELECT … FOR UPDATE SKIP LOCKED`` so several
processes share one queue; on SQLite the claim runs under ``BEGIN IMMEDIATE``.
A job whose lease expired (its worker died) is claimed again and marked
ambiguous: its last request may have reached the registry.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import JobAttempt, OutboxJob
from gateway.sync import wakeup

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"


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


def claim(
    factory: sessionmaker[Session],
    owner: str,
    limit: int,
    lease_seconds: float,
    *,
    tenants: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
) -> list[ClaimedJob]:
    now = utcnow()
    due = or_(
        and_(OutboxJob.state == PENDING, OutboxJob.next_attempt_at <= now),  # type: ignore[arg-type]
        and_(OutboxJob.state == RUNNING, OutboxJob.lease_expires_at < now),  # type: ignore[arg-type,operator]
    )
    query = select(OutboxJob).where(due)
    if tenants is not None:
        query = query.where(col(OutboxJob.tenant).in_(tenants))
    if kinds is not None:
        query = query.where(col(OutboxJob.kind).in_(kinds))
    query = (
        query.order_by(OutboxJob.next_attempt_at)  # type: ignore[arg-type]
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed: list[ClaimedJob] = []
    with transaction(factory) as session:
        for job in session.scalars(query):
            taken_over = job.state == RUNNING
            job.state = RUNNING
            job.lease_owner = owner
            job.lease_expires_at = now + timedelta(seconds=lease_seconds)
            job.attempts += 1
            job.ambiguous = job.ambiguous or taken_over
            job.updated_at = now
            assert job.id is not None
            claimed.append(
                ClaimedJob(
                    id=job.id,
                    kind=job.kind,
                    tenant=job.tenant,
                    complaint_id=job.complaint_id,
                    payload=json.loads(job.payload),
                    attempts=job.attempts,
                    ambiguous=job.ambiguous,
                    owner=owner,
                    claimed_at=now,
                )
            )
    return claimed


def _owned(session: Session, job: ClaimedJob) -> OutboxJob | None:
    """The job row if ``job.owner`` still holds its lease (fencing), locked."""
    row = session.scalars(
        select(OutboxJob)
        .where(
            OutboxJob.id == job.id,  # type: ignore[arg-type]
            OutboxJob.state == RUNNING,  # type: ignore[arg-type]
            OutboxJob.lease_owner == job.owner,  # type: ignore[arg-type]
        )
        .with_for_update()
    ).first()
    return row


def _finish(
    session: Session,
    job: ClaimedJob,
    *,
    state: str,
    outcome: str,
    error: str | None,
    error_kind: str | None,
    latency_ms: float | None,
) -> OutboxJob | None:
    """Release the lease into ``state`` and record the attempt; None if the lease was lost."""
    row = _owned(session, job)
    now = utcnow()
    if row is None:
        _attempt(session, job, "lease_lost", error, latency_ms, now)
        return None
    row.state = state
    row.lease_owner = None
    row.lease_expires_at = None
    row.last_error = error
    row.last_error_kind = error_kind
    row.updated_at = now
    _attempt(session, job, outcome, error, latency_ms, now)
    return row


def finish_done(session: Session, job: ClaimedJob, latency_ms: float | None) -> bool:
    """Mark done inside the caller's transaction; False if the lease was lost."""
    row = _finish(
        session, job, state=DONE, outcome="ok", error=None, error_kind=None, latency_ms=latency_ms
    )
    if row is None:
        return False
    row.done_at = row.updated_at
    row.ambiguous = False
    return True


def finish_retry(
    session: Session,
    job: ClaimedJob,
    *,
    delay: float,
    error: str,
    error_kind: str,
    ambiguous: bool,
    latency_ms: float | None,
) -> bool:
    outcome = "throttled" if error_kind == "throttled" else "retry"
    row = _finish(
        session,
        job,
        state=PENDING,
        outcome=outcome,
        error=error,
        error_kind=error_kind,
        latency_ms=latency_ms,
    )
    if row is None:
        return False
    row.next_attempt_at = row.updated_at + timedelta(seconds=delay)
    row.ambiguous = ambiguous
    return True


def finish_failed(
    session: Session, job: ClaimedJob, *, error: str, error_kind: str, latency_ms: float | None
) -> bool:
    row = _finish(
        session,
        job,
        state=FAILED,
        outcome="failed",
        error=error,
        error_kind=error_kind,
        latency_ms=latency_ms,
    )
    return row is not None


def _attempt(
    session: Session,
    job: ClaimedJob,
    outcome: str,
    error: str | None,
    latency_ms: float | None,
    now: datetime,
) -> None:
    session.add(
        JobAttempt(
            job_id=job.id,
            attempt=job.attempts,
            worker=job.owner,
            outcome=outcome,
            error=error,
            latency_ms=latency_ms,
            started_at=job.claimed_at,
            finished_at=now,
        )
    )


def list_jobs(
    factory: sessionmaker[Session],
    *,
    state: str | None = None,
    kind: str | None = None,
    tenant: str | None = None,
    limit: int = 100,
) -> list[OutboxJob]:
    query = select(OutboxJob).order_by(OutboxJob.id.desc()).limit(limit)  # type: ignore[union-attr]
    if state:
        query = query.where(OutboxJob.state == state)  # type: ignore[arg-type]
    if kind:
        query = query.where(OutboxJob.kind == kind)  # type: ignore[arg-type]
    if tenant:
        query = query.where(OutboxJob.tenant == tenant)  # type: ignore[arg-type]
    with factory() as session:
        return list(session.scalars(query))


def count_by_state(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as session:
        rows = session.execute(
            select(col(OutboxJob.state), func.count()).group_by(OutboxJob.state)
        ).all()
    return {state: count for state, count in rows}


def retry_failed(
    factory: sessionmaker[Session], job_ids: Sequence[int] | None = None, tenant: str | None = None
) -> list[int]:
    """Put failed jobs back in the queue (after a mapping fix); returns their ids.

    A failed submission's complaint goes back to ``received``.
    """
    from gateway.storage.complaints import reopen_failed

    now = utcnow()
    with transaction(factory) as session:
        query = select(OutboxJob).where(OutboxJob.state == FAILED).with_for_update()  # type: ignore[arg-type]
        if job_ids:
            query = query.where(OutboxJob.id.in_(job_ids))  # type: ignore[union-attr]
        if tenant:
            query = query.where(OutboxJob.tenant == tenant)  # type: ignore[arg-type]
        ids: list[int] = []
        for job in session.scalars(query):
            job.state = PENDING
            job.attempts = 0
            job.next_attempt_at = now
            job.updated_at = now
            # a failed job may have failed after an ambiguous attempt: look first
            job.ambiguous = True if job.kind == "submit" else job.ambiguous
            if job.kind == "submit":
                reopen_failed(session, job.complaint_id, now)
            assert job.id is not None
            ids.append(job.id)
        if ids:
            wakeup.announce(session)
    wakeup.announce_local()
    return ids
