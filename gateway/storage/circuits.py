"""Each process's circuit breaker per tenant, for operators (``gateway status``, the console).

A process writes its row for a tenant when its breaker changes state, not per
request. Whether the row still counts is judged when it is read: its writer must
be alive, that is it wrote the row, or renewed its heartbeat
(:mod:`gateway.storage.heartbeat`, every second by default), within the row's
``stale_after`` seconds (the writer's heartbeat time-to-live). A worker killed
while its circuit was open stops both; once ``stale_after`` has passed its "open"
is ignored, so the tenant shows what the live processes see. Writing costs nothing
more than before; a write also deletes the tenant's rows of processes that are gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import TenantCircuit, WorkerHeartbeat

#: the worse state wins when live processes disagree about a tenant
SEVERITY = {"closed": 0, "half_open": 1, "open": 2}


@dataclass(frozen=True)
class Circuit:
    """A tenant's circuit as the live processes see it: the worst of their states."""

    state: str
    failures: int
    #: live processes whose breaker is in ``state``
    processes: int


CLOSED = Circuit("closed", 0, 0)


def _aware(moment: datetime) -> datetime:
    """In UTC (PostgreSQL hands back its session's zone; naive means UTC)."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def save(
    factory: sessionmaker[Session],
    tenant: str,
    state: str,
    failures: int,
    opened_at: datetime | None,
    last_error: str | None,
    *,
    owner: str,
    stale_after: float,
    now: datetime | None = None,
) -> None:
    """Write ``owner``'s state for ``tenant``; forget the tenant's rows of dead writers."""
    now = now or utcnow()
    with transaction(factory) as session:
        row = session.get(TenantCircuit, (tenant, owner), with_for_update=True)
        if row is None:
            row = TenantCircuit(
                tenant=tenant, owner=owner, state=state, updated_at=now, stale_after=stale_after
            )
            session.add(row)
        row.state = state
        row.failures = failures
        row.opened_at = opened_at
        row.last_error = last_error
        row.updated_at = now
        row.stale_after = stale_after
        others = list(
            session.scalars(
                select(TenantCircuit).where(
                    col(TenantCircuit.tenant) == tenant, col(TenantCircuit.owner) != owner
                )
            )
        )
        beats = _beats(session, (other.owner for other in others))
        gone = [other.owner for other in others if not _live(other, beats, now)]
        if gone:
            session.execute(
                delete(TenantCircuit).where(
                    col(TenantCircuit.tenant) == tenant, col(TenantCircuit.owner).in_(gone)
                )
            )


def live(session: Session, tenants: Iterable[str], now: datetime) -> dict[str, Circuit]:
    """Per tenant, the circuit as its live writers see it; absent when none has a row."""
    names = list(tenants)
    rows = list(session.scalars(select(TenantCircuit).where(col(TenantCircuit.tenant).in_(names))))
    beats = _beats(session, {row.owner for row in rows})
    circuits: dict[str, Circuit] = {}
    for row in rows:
        if not _live(row, beats, now):
            continue
        seen = circuits.get(row.tenant)
        rank = SEVERITY.get(row.state, SEVERITY["open"])
        if seen is None or rank > SEVERITY.get(seen.state, SEVERITY["open"]):
            circuits[row.tenant] = Circuit(row.state, row.failures, 1)
        elif row.state == seen.state:
            failures = max(seen.failures, row.failures)
            circuits[row.tenant] = Circuit(seen.state, failures, seen.processes + 1)
    return circuits


def _beats(session: Session, owners: Iterable[str]) -> dict[str, datetime]:
    wanted = set(owners)
    if not wanted:
        return {}
    found = session.execute(
        select(col(WorkerHeartbeat.owner), col(WorkerHeartbeat.beat_at)).where(
            col(WorkerHeartbeat.owner).in_(wanted)
        )
    ).tuples()
    return {owner: _aware(beat_at) for owner, beat_at in found}


def _live(row: TenantCircuit, beats: dict[str, datetime], now: datetime) -> bool:
    """Its writer wrote it, or renewed its heartbeat, within ``stale_after`` seconds."""
    last = _aware(row.updated_at)
    beat = beats.get(row.owner)
    if beat is not None:
        last = max(last, beat)
    return _aware(now) - last <= timedelta(seconds=row.stale_after)
