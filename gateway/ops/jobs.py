"""Outbox jobs on the console: the failed ones, retrying and dismissing them.

Retrying is :func:`gateway.storage.outbox.retry_failed`, as ``gateway jobs retry``
does. Dismissing moves a failed job to the state ``dismissed``: claims only take
``pending`` (and ``running`` with an expired lease) jobs and ``retry_failed`` only
``failed`` ones, so a dismissed job is never sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.logs import scrub_text
from gateway.ops import accounts
from gateway.ops.models import Operator
from gateway.ops.paging import PAGE_SIZE, Paging, rows_before
from gateway.storage import outbox, queries
from gateway.storage.engine import transaction
from gateway.storage.models import OutboxJob
from gateway.sync import wakeup

DISMISSED = "dismissed"
STATES = ("failed", "pending", "running", "done", DISMISSED)
MAX_REASON = 500


def job(factory: sessionmaker[Session], job_id: int) -> OutboxJob | None:
    return queries.detached(factory, OutboxJob, job_id)


@dataclass(frozen=True)
class JobPage:
    jobs: list[OutboxJob]
    state: str
    #: per state, the jobs of the visible tenants (every state listed, 0 included)
    counts: dict[str, int]
    paging: Paging


def listed(
    factory: sessionmaker[Session], visible: Sequence[str], state: str, page: int = 1
) -> JobPage:
    """Page ``page`` (of :data:`PAGE_SIZE`) of the jobs in ``state`` of the ``visible``
    tenants, newest first, with the count of their jobs in each state."""
    counts = dict.fromkeys(STATES, 0)
    if not visible:
        return JobPage([], state, counts, Paging(page, 0, (("state", state),)))
    tenants = col(OutboxJob.tenant).in_(list(visible))
    query = (
        select(OutboxJob)
        .where(tenants, col(OutboxJob.state) == state)
        .order_by(col(OutboxJob.id).desc())
        .offset(rows_before(page))
        .limit(PAGE_SIZE)
    )
    per_state = (
        select(col(OutboxJob.state), func.count()).where(tenants).group_by(col(OutboxJob.state))
    )
    with factory() as session:
        counts |= {name: int(n) for name, n in session.execute(per_state)}
        rows = list(session.scalars(query))
        session.expunge_all()
    return JobPage(rows, state, counts, Paging(page, counts.get(state, 0), (("state", state),)))


def locked_failed(session: Session, job_id: int | None) -> OutboxJob | None:
    """The job if it is still failed, locked until the transaction ends."""
    return session.scalars(
        select(OutboxJob)
        .where(col(OutboxJob.id) == job_id, col(OutboxJob.state) == outbox.FAILED)
        .with_for_update()
    ).first()


def retry(factory: sessionmaker[Session], operator: Operator, found: OutboxJob) -> bool:
    """Queue a failed job again and audit it, in one transaction; False if it was no
    longer failed."""
    with transaction(factory) as session:
        stored = locked_failed(session, found.id)
        if stored is None:
            return False
        outbox.requeue(session, stored, accounts.now_utc())
        accounts.audit(
            session,
            operator,
            "retry_job",
            tenant=stored.tenant,
            complaint_id=stored.complaint_id,
            job_id=stored.id,
        )
        wakeup.announce(session)
    wakeup.announce_local()
    return True


def dismiss(
    factory: sessionmaker[Session], operator: Operator, found: OutboxJob, reason: str
) -> bool:
    """Set a failed job aside for good, with the operator's reason; False if not failed."""
    now = accounts.now_utc()
    with transaction(factory) as session:
        stored = locked_failed(session, found.id)
        if stored is None:
            return False
        stored.state = DISMISSED
        stored.updated_at = now
        accounts.audit(
            session,
            operator,
            "dismiss",
            tenant=stored.tenant,
            complaint_id=stored.complaint_id,
            job_id=stored.id,
            detail=scrub_text(reason.strip())[:MAX_REASON],
        )
    return True
