"""The status puller against a fake change feed, on SQLite and PostgreSQL: requests
follow the changes, stop at the first short page, and take the tenant's tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.sla import NoHolidays, SlaPolicy
from gateway.ports import ChangeEvent, ChangesPage
from gateway.storage.complaints import mark_submitted
from gateway.storage.engine import transaction
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, StatusEvent
from gateway.sync.limits import LaneLimits, TenantLimits, TokenBucket
from gateway.sync.puller import StatusPuller
from tests.integration.test_storage import draft

pytestmark = pytest.mark.anyio
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Feed:
    """One tenant's change feed; the cursor is the number of events read."""

    def __init__(self) -> None:
        self.events: list[ChangeEvent] = []
        self.requests = 0

    def for_tenant(self, tenant: str) -> Feed:
        return self

    async def changes(self, cursor: str | None, limit: int) -> ChangesPage:
        self.requests += 1
        start = int(cursor or 0)
        page = self.events[start : start + limit]
        return ChangesPage(page, str(start + len(page)))

    def add(self, tracking_id: str, status: str, minute: int) -> None:
        at = T0 + timedelta(minutes=minute)
        self.events.append(ChangeEvent(tracking_id, None, status, None, at))


class CountingBucket(TokenBucket):
    def __init__(self) -> None:
        super().__init__(rate=0)
        self.taken = 0

    async def acquire(self) -> None:
        self.taken += 1


def submitted(factory: sessionmaker[Session], count: int) -> list[str]:
    """``count`` submitted complaints; their tracking IDs."""
    tracking = []
    for i in range(count):
        complaint_id = record_complaint(factory, draft(f"P-{i}"), "{}", "x").complaint_id
        with transaction(factory) as session:
            complaint = session.get(Complaint, complaint_id)
            assert complaint is not None
            mark_submitted(session, complaint, f"7000{i:04d}", T0, NoHolidays(), SlaPolicy())
        tracking.append(f"7000{i:04d}")
    return tracking


def puller(factory: sessionmaker[Session], feed: Feed, limits: TenantLimits) -> StatusPuller:
    return StatusPuller(
        factory,
        feed,  # type: ignore[arg-type]
        ["lampung"],
        calendar=NoHolidays(),
        page_size=2,
        limits=limits,
    )


async def test_a_sweep_stops_at_the_first_short_page_and_takes_tokens(factory) -> None:
    ids = submitted(factory, 5)
    feed, bucket = Feed(), CountingBucket()
    limits = TenantLimits({"lampung": LaneLimits()})
    limits.buckets["lampung"] = bucket
    work = puller(factory, feed, limits)
    for minute, tracking_id in enumerate(ids):
        feed.add(tracking_id, "belum_terverifikasi", minute)  # creations: nothing new
    feed.add(ids[0], "terverifikasi", 10)
    stats = await work.run_once()
    # 6 events, pages of 2: 2 + 2 + 2 full, then an empty one: floor(6 / 2) + 1
    assert (feed.requests, stats.events) == (4, 6)
    assert stats.outcomes == {"unchanged": 5, "applied": 1}
    feed.add(ids[1], "terverifikasi", 11)
    stats = await work.run_once()
    assert (feed.requests, stats.pages) == (5, 1)  # one short page, and done
    stats = await work.run_once()
    assert (feed.requests, stats.pages) == (6, 1)  # nothing new: one empty page
    assert bucket.taken == feed.requests  # every page through the tenant's bucket


async def test_several_events_of_one_complaint_in_a_page_apply_in_order(factory) -> None:
    [tracking_id] = submitted(factory, 1)
    feed = Feed()
    feed.add(tracking_id, "terverifikasi", 1)
    feed.add(tracking_id, "terdisposisi", 2)
    stats = await puller(factory, feed, TenantLimits({"lampung": LaneLimits()})).run_once()
    assert stats.outcomes == {"applied": 2}
    with factory() as session:
        complaint = session.scalars(select(Complaint)).one()
        assert complaint.status == "dispatched"
        national = session.scalars(
            select(StatusEvent.national_status)
            .where(StatusEvent.source == "national")
            .order_by(StatusEvent.id)
        ).all()
        assert national == ["terverifikasi", "terdisposisi"]
