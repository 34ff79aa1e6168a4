"""The dispatcher's loop with a fake registry, on SQLite and PostgreSQL: what a lane
admits, and replies that do not wait for the tenant's backlog."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.sla import NoHolidays
from gateway.ports import Notification, Receipt, Submission
from gateway.storage.intake import record_complaint
from gateway.storage.models import OutboxJob
from gateway.sync.dispatcher import Dispatcher
from gateway.sync.limits import LaneLimits, TenantLimits
from gateway.sync.wakeup import Waker
from tests.integration.test_storage import draft
from tests.support import scaled

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class SlowRegistry:
    """Answers every submission after ``seconds``; counts the requests in flight."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.in_flight = 0
        self.peak = 0
        self.sent = 0
        self._numbers = itertools.count(70_000_000)

    def for_tenant(self, tenant: str) -> SlowRegistry:
        return self

    async def submit(self, submission: Submission) -> Receipt:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.in_flight -= 1
        self.sent += 1
        return Receipt(str(next(self._numbers)), "belum_terverifikasi", datetime.now(UTC))


class Replies:
    def __init__(self) -> None:
        self.sent: list[Notification] = []

    async def send(self, notification: Notification) -> None:
        self.sent.append(notification)


def dispatcher(
    factory: sessionmaker[Session], registry: SlowRegistry, replies: Replies, concurrency: int
) -> Dispatcher:
    limits = TenantLimits({"lampung": LaneLimits(concurrency=concurrency)})
    return Dispatcher(
        factory,
        registry,  # type: ignore[arg-type]
        {"*": replies},
        owner="test-worker",
        calendar=NoHolidays(),
        limits=limits,
    )


def jobs(factory: sessionmaker[Session], kind: str, state: str) -> int:
    with factory() as session:
        query = select(func.count()).where(OutboxJob.kind == kind, OutboxJob.state == state)
        return int(session.scalar(query) or 0)


async def running(
    work: Dispatcher, until: Callable[[], Awaitable[bool]], timeout: float = 30
) -> None:
    """Run the dispatcher's loop until ``until()`` holds (checked every 20 ms)."""
    stop = asyncio.Event()
    loop = asyncio.create_task(work.run_forever(stop, Waker(), poll_interval=0.1))
    try:
        async with asyncio.timeout(scaled(timeout)):
            while not await until():
                await asyncio.sleep(0.02)
    finally:
        stop.set()
        await loop


async def test_registry_requests_in_flight_never_exceed_the_lane_concurrency(factory) -> None:
    for i in range(30):
        record_complaint(factory, draft(f"C-{i}"), "{}", "x")
    registry, replies = SlowRegistry(0.03), Replies()
    work = dispatcher(factory, registry, replies, concurrency=3)

    async def all_sent() -> bool:
        return await asyncio.to_thread(jobs, factory, "submit", "done") == 30

    await running(work, all_sent)
    # jobs are claimed ahead of the gate, but only three requests are ever in flight
    assert registry.sent == 30 and registry.peak == 3


async def test_replies_go_out_while_the_submission_backlog_is_still_pending(factory) -> None:
    for i in range(40):
        record_complaint(factory, draft(f"C-{i}"), "{}", "x")
    registry, replies = SlowRegistry(0.1), Replies()
    work = dispatcher(factory, registry, replies, concurrency=2)  # 40 take 2 s at least
    seen: dict[str, int] = {}

    async def replies_out() -> bool:
        if len(replies.sent) < 4:
            return False
        seen["pending"] = await asyncio.to_thread(jobs, factory, "submit", "pending")
        seen["replied"] = await asyncio.to_thread(jobs, factory, "notify", "done")
        return seen["replied"] >= 4

    await running(work, replies_out)
    # the citizens whose complaints were submitted first heard back (tracking IDs in
    # hand) while most of the tenant's submissions had not even been claimed yet
    assert seen["pending"] >= 20, seen
    assert all(reply.tracking_id for reply in replies.sent)
