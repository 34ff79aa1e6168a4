"""What an operator asks first: per tenant, how much is waiting, what failed, is it flowing.

Read from the shared database, so any process (``gateway status``, the ops pages)
sees the whole deployment, not only its own workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.storage import circuits as circuit_rows
from gateway.storage.models import Complaint, FeedCursor, OutboxJob, SingletonLease

PULLER_LEASE = "puller"


@dataclass
class TenantStatus:
    tenant: str
    #: pending + running outbox jobs
    backlog: int
    #: the oldest complaint not yet in the national registry; None when there is none
    oldest_unsent_age_seconds: float | None
    #: failed outbox jobs, waiting for an operator
    failed: int
    #: the worst circuit state among the processes alive now ("closed" when none
    #: has a row); a dead process's last state is not counted
    circuit_state: str
    circuit_failures: int
    puller_cursor: str | None
    puller_updated_at: datetime | None


def _aware(moment: datetime) -> datetime:
    """In UTC (PostgreSQL hands back its session's zone; naive means UTC)."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _older(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return min(_aware(a), _aware(b))


def tenant_statuses(
    factory: sessionmaker[Session], tenants: Iterable[str], *, now: datetime | None = None
) -> list[TenantStatus]:
    """One row per tenant, in the order given (tenants with no data included)."""
    names = list(dict.fromkeys(tenants))
    if not names:
        return []
    now = now or datetime.now(UTC)
    with factory() as session:
        states = session.execute(
            select(col(OutboxJob.tenant), col(OutboxJob.state), func.count())
            .where(
                col(OutboxJob.tenant).in_(names),
                col(OutboxJob.state).in_(("pending", "running", "failed")),
            )
            .group_by(col(OutboxJob.tenant), col(OutboxJob.state))
        ).all()
        oldest_submit = dict(
            session.execute(
                select(col(OutboxJob.tenant), func.min(col(OutboxJob.created_at)))
                .where(
                    col(OutboxJob.tenant).in_(names),
                    col(OutboxJob.kind) == "submit",
                    col(OutboxJob.state).in_(("pending", "running")),
                )
                .group_by(col(OutboxJob.tenant))
            )
            .tuples()
            .all()
        )
        oldest_received = dict(
            session.execute(
                select(col(Complaint.tenant), func.min(col(Complaint.created_at)))
                .where(col(Complaint.tenant).in_(names), col(Complaint.status) == "received")
                .group_by(col(Complaint.tenant))
            )
            .tuples()
            .all()
        )
        circuits = circuit_rows.live(session, names, now)
        cursors = {
            row.tenant: row
            for row in session.scalars(select(FeedCursor).where(col(FeedCursor.tenant).in_(names)))
        }
    counts: dict[tuple[str, str], int] = {(t, s): int(n) for t, s, n in states}
    rows: list[TenantStatus] = []
    for tenant in names:
        oldest = _older(oldest_received.get(tenant), oldest_submit.get(tenant))
        breaker = circuits.get(tenant, circuit_rows.CLOSED)
        cursor = cursors.get(tenant)
        rows.append(
            TenantStatus(
                tenant=tenant,
                backlog=counts.get((tenant, "pending"), 0) + counts.get((tenant, "running"), 0),
                oldest_unsent_age_seconds=(
                    None if oldest is None else max((now - _aware(oldest)).total_seconds(), 0.0)
                ),
                failed=counts.get((tenant, "failed"), 0),
                circuit_state=breaker.state,
                circuit_failures=breaker.failures,
                puller_cursor=cursor.cursor if cursor else None,
                puller_updated_at=_aware(cursor.updated_at) if cursor else None,
            )
        )
    return rows


def puller_owner(
    factory: sessionmaker[Session], *, now: datetime | None = None
) -> tuple[str, datetime] | None:
    """The process following the change feed and when its lease expires; None if nobody is."""
    now = now or datetime.now(UTC)
    with factory() as session:
        lease = session.get(SingletonLease, PULLER_LEASE)
    if lease is None or _aware(lease.expires_at) <= now:
        return None
    return lease.owner, _aware(lease.expires_at)


#: (second, minute, hour, day) as the CLI and the console write them
COMPACT = ("s", "m", "h", "d")
WORDS = (" dtk", " mnt", " jam", " hr")  # the console, in Indonesian
WORDS_EN = (" s", " min", " h", " d")  # the console, in English


def duration(seconds: float | None, units: tuple[str, str, str, str] = COMPACT) -> str:
    """``95`` as ``1m35s`` (or ``1 mnt 35 dtk`` with :data:`WORDS`): the two largest units."""
    if seconds is None:
        return "-"
    s, m, h, d = units
    sep = " " if units in (WORDS, WORDS_EN) else ""
    pad = "" if units in (WORDS, WORDS_EN) else "02"
    whole = int(seconds)
    if whole < 60:
        return f"{whole}{s}"
    if whole < 3600:
        return f"{whole // 60}{m}{sep}{whole % 60:{pad}}{s}"
    if whole < 86400:
        return f"{whole // 3600}{h}{sep}{whole % 3600 // 60:{pad}}{m}"
    return f"{whole // 86400}{d}{sep}{whole % 86400 // 3600:{pad}}{h}"


_CIRCUIT_STYLE = {"closed": "green", "half_open": "yellow", "open": "red"}


def render_status(rows: Sequence[TenantStatus]) -> Table:
    table = Table(
        "tenant",
        "backlog",
        "oldest unsent",
        "failed",
        "circuit",
        "puller cursor",
        "puller updated",
        title="lapor-gateway tenants",
    )
    for row in rows:
        style = _CIRCUIT_STYLE.get(row.circuit_state, "red")
        circuit = f"[{style}]{row.circuit_state}[/{style}]"
        if row.circuit_failures:
            circuit += f" ({row.circuit_failures} failures)"
        failed = f"[red]{row.failed}[/red]" if row.failed else "0"
        updated = row.puller_updated_at
        table.add_row(
            row.tenant,
            str(row.backlog),
            duration(row.oldest_unsent_age_seconds),
            failed,
            circuit,
            row.puller_cursor or "-",
            updated.strftime("%Y-%m-%d %H:%M:%S UTC") if updated else "-",
        )
    return table
