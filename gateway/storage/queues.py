"""Messages to a citizen go out in order: one queue per complaint, one per chat.

Jobs of an ordered kind (``notify``, ``reply``) form a queue per ``complaint_id``
(a notify job's complaint; a reply job's chat, :func:`chat_key`): only the oldest job
of a queue that is still pending or running can be claimed (index
``ix_outbox_order``), so a later message never overtakes an earlier one that is
waiting for its retry or held by a dead worker. A notification whose complaint has a
later notification of a further status waiting behind it is not sent late: the claim
finishes it as ``done`` (attempt outcome ``superseded``) and takes the next one.
The claim itself is in :mod:`gateway.storage.claims`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, ScalarSelect, Select, bindparam, insert, or_, select, update
from sqlmodel import col

from gateway.domain.status import Status
from gateway.storage.job_states import DONE, PENDING, RUNNING
from gateway.storage.models import JobAttempt, OutboxJob

#: job kinds sent one at a time per ``complaint_id``, oldest first
ORDERED_KINDS = frozenset({"notify", "reply"})
#: a notification is superseded by a later one of a higher rank
_RANK = {
    Status.RECEIVED: 0,
    Status.FAILED: 0,
    Status.SUBMITTED: 1,
    Status.VERIFIED: 2,
    Status.DISPATCHED: 3,
    Status.IN_PROGRESS: 4,
    Status.RESOLVED: 5,
    Status.REJECTED: 5,
}


def chat_key(channel: str, address: str) -> str:
    """A reply job's queue (its ``complaint_id``): the chat or number it goes to,
    hashed, so that a phone number is never a key shown on the console or the CLI
    (the job's payload has the address it is sent to)."""
    digest = hashlib.sha256(f"{channel}:{address}".encode()).hexdigest()
    return f"{channel}:{digest[: 35 - len(channel)]}"


def status_rank(status: object) -> int:
    try:
        return _RANK[Status(str(status))]
    except ValueError:
        return 0


def drop_superseded(connection: Connection, rows: list[Any], owner: str, now: datetime) -> set[int]:
    """Finish the notifications among ``rows`` that a later one of a further status
    supersedes (``done``, attempt outcome ``superseded``); their ids."""
    heads = {row.complaint_id: row for row in rows if row.kind == "notify" and row.behind}
    if not heads:
        return set()
    later = connection.execute(_later_query(), {"cids": list(heads)}).all()
    dropped: set[int] = set()
    for found in later:
        head = heads[found.complaint_id]
        if found.id > head.id and status_rank(_status(found.payload)) > status_rank(
            _status(head.payload)
        ):
            dropped.add(head.id)
    if dropped:
        connection.execute(
            update(OutboxJob)
            .where(col(OutboxJob.id).in_(sorted(dropped)))
            .values(
                state=DONE,
                done_at=now,
                updated_at=now,
                lease_owner=None,
                lease_expires_at=None,
                attempts=col(OutboxJob.attempts) + 1,
            )
        )
        attempt = {"worker": owner, "outcome": "superseded", "started_at": now, "finished_at": now}
        connection.execute(
            insert(JobAttempt),
            [
                {"job_id": row.id, "attempt": row.attempts + 1, **attempt}
                for row in rows
                if row.id in dropped
            ],
        )
    return dropped


def _status(payload: str) -> object:
    try:
        return json.loads(payload).get("status")
    except (ValueError, AttributeError):
        return None


@cache
def _later_query() -> Select[Any]:
    """The notifications of some complaints still waiting to go out."""
    job = OutboxJob
    return select(col(job.id), col(job.complaint_id), col(job.payload)).where(
        col(job.complaint_id).in_(bindparam("cids", expanding=True)),
        col(job.kind) == "notify",
        col(job.state).in_([PENDING, RUNNING]),
    )


def queued(other: Any, *, after: bool) -> ScalarSelect[Any]:
    """The id of an unfinished job of the same queue as the claimed one, before or
    after it, or NULL. A scalar subquery, not EXISTS: PostgreSQL would turn NOT EXISTS
    into an anti join that reads the tenant's whole backlog of that kind per job; this
    stays one look-up per job in index ``ix_outbox_order``."""
    job = OutboxJob
    return (
        select(col(other.id))
        .where(
            col(other.complaint_id) == col(job.complaint_id),
            col(other.kind) == col(job.kind),
            col(other.tenant) == col(job.tenant),
            or_(col(other.state) == PENDING, col(other.state) == RUNNING),
            col(other.id) > col(job.id) if after else col(other.id) < col(job.id),
        )
        .limit(1)
        .scalar_subquery()
    )
