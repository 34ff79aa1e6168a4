"""The console's first page: per tenant, today's intake and whether it is flowing.

"Today" is the day in Western Indonesia Time (WIB, UTC+7), the zone of the
national registry (:mod:`gateway.ops.wib`); the figures of :mod:`gateway.ops_status`
(failed jobs, oldest unsent complaint, circuit) are reused as ``gateway status``
shows them. Beside them: the registry's latency over the last hour
(:mod:`gateway.ops.latency`) and the last 7 days' intake (:mod:`gateway.ops.week_chart`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.ops.latency import Latency, registry_latency
from gateway.ops.week_chart import DayCount, WeekChart, chart, last_week
from gateway.ops.wib import start_of, today
from gateway.ops_status import TenantStatus, tenant_statuses
from gateway.storage.models import Complaint


@dataclass
class TenantOverview:
    tenant: str
    received_today: int
    #: of today's complaints, those with a national tracking ID
    sent_today: int
    #: complaints still ``received`` without a tracking ID, whenever they came in
    waiting: int
    status: TenantStatus
    #: today's complaints per channel
    channels: dict[str, int] = field(default_factory=dict)
    #: the registry's latency over the last hour; None without registry attempts
    latency: Latency | None = None
    #: the last 7 WIB days, today last
    week: list[DayCount] = field(default_factory=list)

    def week_chart_in(self, language: str, name: str | None = None) -> WeekChart:
        """The 7-day chart in ``language`` (``id`` or ``en``), the tenant called ``name``."""
        return chart(name or self.tenant, self.week, language)


def overview(
    factory: sessionmaker[Session], tenants: Sequence[str], *, now: datetime | None = None
) -> list[TenantOverview]:
    """One row per tenant, in the order given (tenants without data included)."""
    names = list(dict.fromkeys(tenants))
    if not names:
        return []
    now = now or datetime.now(UTC)
    since = start_of(today(now))
    tenant, channel = col(Complaint.tenant), col(Complaint.channel)
    with factory() as session:
        per_channel = session.execute(
            select(
                tenant,
                channel,
                func.count(),
                func.count(col(Complaint.tracking_id)),
            )
            .where(tenant.in_(names), col(Complaint.created_at) >= since)
            .group_by(tenant, channel)
        ).all()
        waiting = dict(
            session.execute(
                select(tenant, func.count())
                .where(
                    tenant.in_(names),
                    col(Complaint.status) == "received",
                    col(Complaint.tracking_id).is_(None),
                )
                .group_by(tenant)
            )
            .tuples()
            .all()
        )
    statuses = {s.tenant: s for s in tenant_statuses(factory, names, now=now)}
    latencies = registry_latency(factory, names, now=now)
    weeks = last_week(factory, names, now=now)
    rows = {
        name: TenantOverview(
            name,
            0,
            0,
            int(waiting.get(name, 0)),
            statuses[name],
            latency=latencies.get(name),
            week=weeks[name],
        )
        for name in names
    }
    for name, channel_id, count, sent in per_channel:
        row = rows[name]
        row.received_today += int(count)
        row.sent_today += int(sent)
        row.channels[channel_id] = int(count)
    return list(rows.values())
