"""The dispatcher: per-tenant lanes that keep the registry busy, fairly.

Each tenant has its own lane (:mod:`gateway.sync.lanes`): at most its
concurrency share of registry requests in flight, a token bucket shared with
the status puller, and a circuit breaker. The loop claims jobs for every lane
that has room, round robin, so one tenant's backlog or failing token never
starves the others; a claim brings each job's complaint along. Notify jobs are
claimed apart from registry jobs, so a citizen's reply goes out as soon as its
submission is recorded, not after the tenant's whole backlog. Messages to a
citizen (notify and reply jobs) are claimed one at a time per complaint or chat,
oldest first (:mod:`gateway.storage.claims`).

A slot of the lane is held only while the registry request is in flight: the
outcome is recorded afterwards by the :class:`~gateway.sync.recorder.Recorder`,
in one transaction with the outcomes of other jobs. All database work of the
dispatcher runs on one thread of its own. The loop claims again as soon as a slot
comes free or new jobs are announced (:mod:`gateway.sync.wakeup`), and otherwise
polls every ``poll_interval`` seconds for retries that have come due.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.ports import RegistryFactory, Replier
from gateway.storage import outbox
from gateway.sync.attempts import Attempts, DispatchStats, OnAttempt
from gateway.sync.backoff import RetryPolicy
from gateway.sync.jobs import NOTIFY_KINDS, REGISTRY_KINDS, JobRunner
from gateway.sync.lanes import Gate, Lane
from gateway.sync.limits import CircuitBreaker, CircuitState, LaneLimits, TenantLimits
from gateway.sync.recorder import Recorder
from gateway.sync.wakeup import Waker

__all__ = ["DispatchStats", "Dispatcher", "LaneLimits"]

log = structlog.get_logger("gateway.dispatcher")
T = TypeVar("T")


class Dispatcher:
    def __init__(
        self,
        factory: sessionmaker[Session],
        registries: RegistryFactory,
        repliers: Mapping[str, Replier],
        *,
        owner: str,
        calendar: HolidayCalendar,
        limits: TenantLimits,
        sla: SlaPolicy | None = None,
        policy: RetryPolicy | None = None,
        lease_seconds: float = 60.0,
        request_timeout: float = 10.0,
        notify_concurrency: int = 20,
        circuit_failures: int = 5,
        circuit_cooldown: float = 10.0,
        rng: random.Random | None = None,
        on_attempt: OnAttempt | None = None,
        on_circuit: Callable[[str, CircuitBreaker], None] | None = None,
    ) -> None:
        self.factory = factory
        self.registries = registries
        self.owner = owner
        self.limits = limits
        self.lease_seconds = lease_seconds
        self.runner = JobRunner(repliers, policy or RetryPolicy(), rng or random.Random())
        self.recorder = Recorder(
            factory, calendar, sla or SlaPolicy(), self._run_db, on_notify_jobs=self._news
        )
        # a request must start early enough to end (or time out) under the lease: counted
        # from the lease's start as the claim recorded it (ClaimedJob.clock)
        start_within = max(0.0, lease_seconds - 2 * request_timeout)
        self.attempts = Attempts(
            self.runner,
            self.recorder,
            registries,
            start_within,
            stopping=lambda: self._stopping,
            freed=self._poke,
            on_attempt=on_attempt,
        )
        self.lanes: dict[str, Lane] = {}
        for tenant in limits.configured:
            breaker = CircuitBreaker(threshold=circuit_failures, cooldown=circuit_cooldown)
            if on_circuit is not None:
                breaker.on_change = lambda b, t=tenant: on_circuit(t, b)
            bucket, gate = limits.bucket(tenant), Gate(limits.concurrency(tenant))
            self.lanes[tenant] = Lane(tenant, bucket, breaker, gate, notify_concurrency)
        self._order = list(self.lanes)
        self._tasks: set[asyncio.Task[None]] = set()
        self._waker: Waker | None = None
        self._poll_interval = 1.0
        self._stopping = False
        self._executor: ThreadPoolExecutor | None = None

    # --- the loop ---------------------------------------------------------------

    async def run_forever(
        self, stop: asyncio.Event, waker: Waker, poll_interval: float = 1.0
    ) -> None:
        """Claim and run jobs until ``stop``; a free slot or an announced job wakes it."""
        self._waker, self._poll_interval, self._stopping = waker, poll_interval, False
        try:
            while not stop.is_set():
                try:
                    await self.fill(DispatchStats())
                except SQLAlchemyError as exc:  # the database is down: keep trying
                    log.warning("claiming jobs failed", error=type(exc).__name__)
                await waker.wait(poll_interval)
        finally:
            self._stopping = True  # jobs not yet sent go back to the queue
            await self.wait_idle(timeout=self.lease_seconds / 2)
            self._waker = None
            self._close_executor()

    async def run_once(self) -> DispatchStats:
        """Fill every lane once (no jobs ahead) and wait for those jobs (tests, benchmarks)."""
        stats = DispatchStats()
        try:
            await self.fill(stats, prefetch=False)
            await self.wait_idle()
        finally:
            self._close_executor()
        return stats

    async def wait_idle(self, timeout: float | None = None) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def fill(self, stats: DispatchStats, *, prefetch: bool = True) -> int:
        """Claim for each lane with room, starting after last round's first lane."""
        claimed = 0
        if self._order:
            self._order.append(self._order.pop(0))
        for tenant in list(self._order):
            lane = self.lanes[tenant]
            if lane.gate.limit != (share := self.limits.concurrency(tenant)):
                lane.gate.resize(share)
            claimed += await self._fill_registry(lane, stats, prefetch)
            claimed += await self._fill_notify(lane, stats, prefetch)
        return claimed

    async def _fill_registry(self, lane: Lane, stats: DispatchStats, prefetch: bool) -> int:
        # while the registry is failing for this tenant, one job goes through as a
        # probe after the cool-down (channel replies go on meanwhile)
        probe = lane.breaker.state != CircuitState.CLOSED
        room = 1 if probe else lane.registry_room(prefetch)
        if not probe and not lane.worth_claiming(room, prefetch):
            return 0
        if self._dry(lane, "registry", prefetch) or (probe and not lane.breaker.allows()):
            return 0
        jobs = await self._claim(lane, "registry", room, REGISTRY_KINDS, prefetch)
        if probe and not jobs:
            lane.breaker.probing = False
        for job in jobs:
            lane.held += 1
            self._start(self.attempts.registry_job(lane, job, stats, probe))
        return len(jobs)

    async def _fill_notify(self, lane: Lane, stats: DispatchStats, prefetch: bool) -> int:
        room = lane.notify_slots - lane.notifying
        if room <= 0 or self._dry(lane, "notify", prefetch):
            return 0
        jobs = await self._claim(lane, "notify", room, NOTIFY_KINDS, prefetch)
        for job in jobs:
            lane.notifying += 1
            self._start(self.attempts.notify_job(lane, job, stats))
        return len(jobs)

    def _dry(self, lane: Lane, what: str, prefetch: bool) -> bool:
        if not prefetch or self._waker is None:
            return False
        return lane.is_dry(what, self._waker.generation, self._poll_interval)

    async def _claim(
        self, lane: Lane, what: str, limit: int, kinds: Sequence[str], prefetch: bool
    ) -> list[outbox.ClaimedJob]:
        generation = self._waker.generation if self._waker is not None else 0
        args = (self.factory, self.owner, limit, self.lease_seconds)
        jobs = await self._run_db(lambda: outbox.claim(*args, tenants=[lane.tenant], kinds=kinds))
        if len(jobs) < limit and prefetch:
            lane.dry[what] = (generation, time.monotonic())
        return jobs

    # --- plumbing ---------------------------------------------------------------

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _poke(self) -> None:
        if self._waker is not None:
            self._waker.poke()  # a slot is free

    def _news(self) -> None:
        if self._waker is not None:
            self._waker.set()  # notify jobs were written

    async def _run_db(self, work: Callable[[], T]) -> T:
        """Run blocking database work on the dispatcher's own thread."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="dispatch-db")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def _close_executor(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None
