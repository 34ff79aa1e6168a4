"""The outbox: jobs claimed with a lease, finished only by the lease holder.

On PostgreSQL a claim is ``SELECT … FOR UPDATE SKIP LOCKED`` so several
processes share one queue; on SQLite the claim runs under ``BEGIN IMMEDIATE``.
A job whose lease expired (its worker died) is claimed again and marked
ambiguous: its last request may have reached the registry.

A claim hands each job over with what carrying it out needs of its complaint
(:class:`ComplaintView`, same query), and any number of finished jobs are recorded
in one transaction (:func:`finish_many`), each only if its worker still holds the
lease of that very attempt (fencing). Claims are in :mod:`gateway.storage.claims`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, Update, bindparam, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.storage.claims import (
    DONE,
    FAILED,
    PENDING,
    RELEASED,
    RUNNING,
    ClaimedJob,
    ComplaintView,
    claim,
)
from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import JobAttempt, OutboxJob
from gateway.sync import wakeup

__all__ = [
    "DONE",
    "FAILED",
    "PENDING",
    "RELEASED",
    "RUNNING",
    "ClaimedJob",
    "ComplaintView",
    "Finish",
    "claim",
    "count_by_state",
    "finish_done",
    "finish_failed",
    "finish_many",
    "finish_retry",
    "list_jobs",
    "retry_failed",
]


@dataclass(frozen=True)
class Finish:
    """How one attempt of a claimed job ends.

    ``state`` is ``done``, ``pending`` (retry after ``delay`` seconds), ``failed``, or
    :data:`RELEASED` (back to the queue as if never claimed: it was not started).
    ``outcome`` is what the attempt row says (ok, retry, throttled, failed).
    """

    job: ClaimedJob
    state: str
    outcome: str = "ok"
    error: str | None = None
    error_kind: str | None = None
    delay: float = 0.0
    ambiguous: bool = False
    latency_ms: float | None = None


def finish_many(session: Session, finishes: Sequence[Finish]) -> list[bool]:
    """Record several finished attempts in the caller's transaction.

    Each is applied only if its worker still holds the lease of that attempt
    (same owner, same attempt number, still running); per finish, whether it was.
    A fenced-off attempt is recorded as ``lease_lost`` and changes nothing else.
    """
    if not finishes:
        return []
    now = utcnow()
    connection = session.connection()
    ids = sorted({f.job.id for f in finishes})
    locked = connection.execute(_lock_query(), {"ids": ids}).all()
    holders = {row.id: (row.lease_owner, row.attempts) for row in locked if row.state == RUNNING}
    owned = [holders.get(f.job.id) == (f.job.owner, f.job.attempts) for f in finishes]
    updates: dict[str, list[dict[str, Any]]] = {}
    attempts: list[dict[str, Any]] = []
    for finish, ok in zip(finishes, owned, strict=True):
        if finish.state != RELEASED:
            attempts.append(_attempt_row(finish, "lease_lost" if not ok else None, now))
        if ok:
            updates.setdefault(finish.state, []).append(_update_row(finish, now))
    for state, rows in updates.items():
        connection.execute(_finish_update(state), rows)
    if attempts:
        connection.execute(_attempt_insert(), attempts)
    return owned


@cache
def _lock_query() -> Select[Any]:
    job = OutboxJob
    return (
        select(col(job.id), col(job.state), col(job.lease_owner), col(job.attempts))
        .where(col(job.id).in_(bindparam("ids", expanding=True)))
        .order_by(col(job.id))
        .with_for_update()
    )


#: per finishing state, the columns it sets besides the lease (cleared) and updated_at
_SETS = {
    DONE: ("state", "last_error", "last_error_kind", "done_at", "ambiguous"),
    PENDING: ("state", "last_error", "last_error_kind", "next_attempt_at", "ambiguous"),
    FAILED: ("state", "last_error", "last_error_kind"),
    RELEASED: ("state", "attempts"),
}


@cache
def _finish_update(state: str) -> Update:
    values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in _SETS[state]}
    return (
        update(OutboxJob)
        .where(col(OutboxJob.id) == bindparam("v_id"))
        .values(lease_owner=None, lease_expires_at=None, updated_at=bindparam("v_now"), **values)
    )


def _update_row(finish: Finish, now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {"v_id": finish.job.id, "v_now": now, "v_state": finish.state}
    if finish.state == RELEASED:
        return row | {"v_state": PENDING, "v_attempts": finish.job.attempts - 1}
    row |= {"v_last_error": finish.error, "v_last_error_kind": finish.error_kind}
    if finish.state == DONE:
        return row | {"v_done_at": now, "v_ambiguous": False}
    if finish.state == PENDING:
        due = now + timedelta(seconds=finish.delay)
        return row | {"v_next_attempt_at": due, "v_ambiguous": finish.ambiguous}
    return row


@cache
def _attempt_insert() -> Insert:
    return insert(JobAttempt)


def _attempt_row(finish: Finish, outcome: str | None, now: datetime) -> dict[str, Any]:
    return {
        "job_id": finish.job.id,
        "attempt": finish.job.attempts,
        "worker": finish.job.owner,
        "outcome": outcome or finish.outcome,
        "error": finish.error,
        "latency_ms": finish.latency_ms,
        "started_at": finish.job.claimed_at,
        "finished_at": now,
    }


def finish_done(session: Session, job: ClaimedJob, latency_ms: float | None) -> bool:
    """Mark done inside the caller's transaction; False if the lease was lost."""
    return finish_many(session, [Finish(job, DONE, latency_ms=latency_ms)])[0]


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
    finish = Finish(job, PENDING, outcome, error, error_kind, delay, ambiguous, latency_ms)
    return finish_many(session, [finish])[0]


def finish_failed(
    session: Session, job: ClaimedJob, *, error: str, error_kind: str, latency_ms: float | None
) -> bool:
    finish = Finish(job, FAILED, "failed", error, error_kind, latency_ms=latency_ms)
    return finish_many(session, [finish])[0]


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
    now = utcnow()
    with transaction(factory) as session:
        query = select(OutboxJob).where(OutboxJob.state == FAILED).with_for_update()  # type: ignore[arg-type]
        if job_ids:
            query = query.where(OutboxJob.id.in_(job_ids))  # type: ignore[union-attr]
        if tenant:
            query = query.where(OutboxJob.tenant == tenant)  # type: ignore[arg-type]
        ids: list[int] = []
        for job in session.scalars(query):
            requeue(session, job, now)
            assert job.id is not None
            ids.append(job.id)
        if ids:
            wakeup.announce(session)
    wakeup.announce_local()
    return ids


def requeue(session: Session, job: OutboxJob, now: datetime) -> None:
    """A failed job (locked by the caller) back in the queue, due now, attempts reset.

    A failed submission's complaint goes back to ``received``. The caller announces
    the wake-up (:func:`gateway.sync.wakeup.announce`) once its transaction commits.
    """
    from gateway.storage.complaints import reopen_failed

    job.state = PENDING
    job.attempts = 0
    job.next_attempt_at = now
    job.updated_at = now
    # a failed job may have failed after an ambiguous attempt: look first
    job.ambiguous = True if job.kind == "submit" else job.ambiguous
    if job.kind == "submit":
        reopen_failed(session, job.complaint_id, now)
