"""How long the national registry took to answer, per tenant, over the last hour.

The figures come from the recorded attempts of registry jobs (``submit`` and
``comment``; ``notify`` jobs talk to a channel, not the registry). An attempt's
``latency_ms`` is the whole attempt as the dispatcher timed it: waiting for the
lane's slot and token, the request, and the answer.

Percentiles are nearest-rank: the p-th percentile of ``n`` values is the value
ranked ``ceil(n * p / 100)`` in ascending order, so both figures are latencies
that were really observed. The database ranks each tenant's attempts (a window
function, the same SQL on SQLite and PostgreSQL) and hands back only the rows at
the two ranks wanted, not every attempt of the hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.storage.models import JobAttempt, OutboxJob
from gateway.sync.jobs import REGISTRY_KINDS

WINDOW = timedelta(hours=1)
MEDIAN, P95 = 50, 95


@dataclass(frozen=True)
class Latency:
    median_ms: float
    p95_ms: float
    #: the attempts the figures are drawn from
    attempts: int


def nearest_rank(count: int, percent: int) -> int:
    """The 1-based rank of the ``percent``-th percentile among ``count`` sorted values."""
    return max(-(-count * percent // 100), 1)


def _at_rank(
    rank: ColumnElement[Any], count: ColumnElement[Any], percent: int
) -> ColumnElement[bool]:
    """SQL for ``rank == nearest_rank(count, percent)``, in integers (no rounding)."""
    return and_(rank * 100 >= count * percent, (rank - 1) * 100 < count * percent)


def registry_latency(
    factory: sessionmaker[Session], tenants: Sequence[str], *, now: datetime | None = None
) -> dict[str, Latency]:
    """Per tenant with registry attempts in the last hour: the median and p95 latency."""
    names = list(dict.fromkeys(tenants))
    if not names:
        return {}
    since = (now or datetime.now(UTC)) - WINDOW
    tenant, latency = col(OutboxJob.tenant), col(JobAttempt.latency_ms)
    ranked = (
        select(
            tenant.label("tenant"),
            latency.label("ms"),
            func.row_number().over(partition_by=tenant, order_by=latency).label("rank"),
            func.count().over(partition_by=tenant).label("n"),
        )
        .join(OutboxJob, col(OutboxJob.id) == col(JobAttempt.job_id))
        .where(
            tenant.in_(names),
            col(OutboxJob.kind).in_(REGISTRY_KINDS),
            latency.is_not(None),
            col(JobAttempt.finished_at) >= since,
        )
        .subquery()
    )
    rank, count = ranked.c.rank, ranked.c.n
    query = select(ranked.c.tenant, ranked.c.ms, rank, count).where(
        or_(_at_rank(rank, count, MEDIAN), _at_rank(rank, count, P95))
    )
    with factory() as session:
        rows = session.execute(query).all()
    found: dict[str, dict[int, float]] = {}
    sizes: dict[str, int] = {}
    for name, ms, row_rank, n in rows:
        sizes[name] = int(n)
        for percent in (MEDIAN, P95):
            if int(row_rank) == nearest_rank(int(n), percent):
                found.setdefault(name, {})[percent] = float(ms)
    return {
        name: Latency(values[MEDIAN], values[P95], sizes[name]) for name, values in found.items()
    }
