"""The console's first page: per tenant, today's intake and whether it is flowing.

"Today" is the day in Western Indonesia Time (WIB, UTC+7), the zone of the
national registry; the figures of :mod:`gateway.ops_status` (failed jobs, oldest
unsent complaint, circuit) are reused as ``gateway status`` shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway import ops_status
from gateway.ops_status import TenantStatus, tenant_statuses
from gateway.storage.models import Complaint

WIB = timezone(timedelta(hours=7), "WIB")


def today(now: datetime | None = None) -> date:
    """Today's date in WIB."""
    return (now or datetime.now(UTC)).astimezone(WIB).date()


def start_of(day: date) -> datetime:
    """Midnight WIB of ``day``, in UTC."""
    return datetime.combine(day, time(), WIB).astimezone(UTC)


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
    rows = {
        name: TenantOverview(name, 0, 0, int(waiting.get(name, 0)), statuses[name])
        for name in names
    }
    for name, channel_id, count, sent in per_channel:
        row = rows[name]
        row.received_today += int(count)
        row.sent_today += int(sent)
        row.channels[channel_id] = int(count)
    return list(rows.values())


def duration(seconds: float | None) -> str:
    """``95`` as ``1 mnt 35 dtk``: ages on the console, in Indonesian units."""
    return ops_status.duration(seconds, ops_status.WORDS)
