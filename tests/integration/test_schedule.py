"""The sync schedule: pull ticks never overlap, however long one takes, and the
heartbeat shares the tenants' limits from the start."""

from __future__ import annotations

import asyncio

import pytest

from gateway.storage import heartbeat
from gateway.sync.limits import LaneLimits, TenantLimits
from gateway.sync.peers import Peers
from gateway.sync.puller import PullStats
from gateway.sync.scheduler import SyncSchedule
from gateway.sync.wakeup import Waker
from tests.support import scaled

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class IdleDispatcher:
    async def run_forever(self, stop: asyncio.Event, waker: Waker, poll: float) -> None:
        await stop.wait()


class SlowPuller:
    """Each tick takes far longer than the interval between ticks."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.ticks = 0

    async def run_once(self) -> PullStats:
        self.running += 1
        self.most = max(self.most, self.running)
        await asyncio.sleep(0.05)
        self.running -= 1
        self.ticks += 1
        return PullStats()


async def test_a_slow_pull_tick_is_never_overlapped_by_the_next(factory) -> None:
    puller = SlowPuller()
    schedule = SyncSchedule(
        IdleDispatcher(),  # type: ignore[arg-type]
        puller,  # type: ignore[arg-type]
        factory=factory,
        owner="w",
        pull_interval=0.001,
        poll_interval=1,
        singleton_ttl=10,
    )
    await schedule.start()
    try:
        async with asyncio.timeout(scaled(20)):
            while puller.ticks < 4:
                await asyncio.sleep(0.01)
    finally:
        await schedule.shutdown()
    assert puller.most == 1


async def test_a_worker_takes_its_share_before_its_first_claim(factory) -> None:
    heartbeat.beat(factory, "a-peer", ttl=5)  # another worker is alive
    limits = TenantLimits({"lampung": LaneLimits(concurrency=10, rate=30)})
    peers = Peers(factory, "b-me", limits, interval=0.05, ttl=5)
    schedule = SyncSchedule(
        IdleDispatcher(),  # type: ignore[arg-type]
        SlowPuller(),  # type: ignore[arg-type]
        factory=factory,
        owner="b-me",
        pull_interval=60,
        poll_interval=1,
        singleton_ttl=10,
        peers=peers,
    )
    await schedule.start()
    try:
        assert (limits.concurrency("lampung"), limits.bucket("lampung").rate) == (5, 15)
    finally:
        await schedule.shutdown()
    assert await asyncio.to_thread(heartbeat.beat, factory, "a-peer", 5) == ["a-peer"]
