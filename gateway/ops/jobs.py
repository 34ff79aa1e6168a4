"""Outbox jobs on the console: the failed ones, retrying and dismissing them.

Retrying is :func:`gateway.storage.outbox.retry_failed`, as ``gateway jobs retry``
does. Dismissing moves a failed job to the state ``dismissed``: claims only take
``pending`` (and ``running`` with an expired lease) jobs and ``retry_failed`` only
``failed`` ones, so a dismissed job is never sent again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.logs import scrub_text
from gateway.ops import accounts
from gateway.ops.models import Operator
from gateway.storage import outbox, queries
from gateway.storage.models import OutboxJob

DISMISSED = "dismissed"
STATES = ("failed", "pending", "running", "done", DISMISSED)
LIMIT = 100
MAX_REASON = 500


def job(factory: sessionmaker[Session], job_id: int) -> OutboxJob | None:
    return queries.detached(factory, OutboxJob, job_id)


def listed(factory: sessionmaker[Session], visible: Sequence[str], state: str) -> list[OutboxJob]:
    """The newest :data:`LIMIT` jobs in ``state`` of the ``visible`` tenants."""
    if not visible:
        return []
    query = (
        select(OutboxJob)
        .where(col(OutboxJob.tenant).in_(list(visible)), col(OutboxJob.state) == state)
        .order_by(col(OutboxJob.id).desc())
        .limit(LIMIT)
    )
    with factory() as session:
        rows = list(session.scalars(query))
        session.expunge_all()
    return rows


def retry(factory: sessionmaker[Session], operator: Operator, found: OutboxJob) -> bool:
    """Queue a failed job again and audit it; False if it was no longer failed."""
    assert found.id is not None
    if not outbox.retry_failed(factory, [found.id]):
        return False
    accounts.audit(
        factory,
        operator,
        "retry_job",
        tenant=found.tenant,
        complaint_id=found.complaint_id,
        job_id=found.id,
    )
    return True


def dismiss(
    factory: sessionmaker[Session], operator: Operator, found: OutboxJob, reason: str
) -> bool:
    """Set a failed job aside for good, with the operator's reason; False if not failed."""
    now = accounts.now_utc()
    with factory() as session, session.begin():
        stored = session.scalars(
            select(OutboxJob)
            .where(col(OutboxJob.id) == found.id, col(OutboxJob.state) == outbox.FAILED)
            .with_for_update()
        ).first()
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
