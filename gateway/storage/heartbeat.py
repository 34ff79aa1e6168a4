"""Which dispatcher processes are alive: one heartbeat row each, renewed every few seconds.

Processes divide each tenant's concurrency and request rate among the live ones
(:mod:`gateway.sync.peers`). A process that dies (even ``kill -9``) stops renewing;
once its row is older than the time-to-live, the next heartbeat of any other
process deletes it and the survivors take its share. Times are each machine's
clock, as for job leases: the machines are assumed to keep time (NTP).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import WorkerHeartbeat


def beat(factory: sessionmaker[Session], owner: str, ttl: float) -> list[str]:
    """Renew ``owner``'s heartbeat, forget the expired ones; the live owners, sorted."""
    now = utcnow()
    with transaction(factory) as session:
        row = session.get(WorkerHeartbeat, owner)
        if row is None:
            session.add(WorkerHeartbeat(owner=owner, started_at=now, beat_at=now))
        else:
            row.beat_at = now
        session.flush()
        expired = col(WorkerHeartbeat.beat_at) < now - timedelta(seconds=ttl)
        session.execute(delete(WorkerHeartbeat).where(expired))
        owners = session.scalars(select(col(WorkerHeartbeat.owner)).order_by("owner"))
        return list(owners)


def leave(factory: sessionmaker[Session], owner: str) -> None:
    """At shutdown: the peers take this process's share at their next heartbeat."""
    with transaction(factory) as session:
        session.execute(delete(WorkerHeartbeat).where(col(WorkerHeartbeat.owner) == owner))
