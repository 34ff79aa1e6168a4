"""The dispatcher: per-tenant lanes that keep the registry busy, fairly.

Each tenant has its own lane: at most ``concurrency`` jobs in flight, a token
bucket for its registry requests and a circuit breaker. The loop claims jobs
for every lane that has free slots, round robin, so one tenant's backlog or
failing token never starves the others. It claims again as soon as a job
finishes or new jobs are announced (:mod:`gateway.sync.wakeup`), and otherwise
polls every ``poll_interval`` seconds for retries that have come due.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.ports import RegistryFactory, Replier
from gateway.storage import outbox
from gateway.sync.backoff import RetryPolicy
from gateway.sync.jobs import REGISTRY_KINDS, Ambiguity, JobRunner
from gateway.sync.limits import CircuitBreaker, CircuitState, ThrottledRegistry, TokenBucket
from gateway.sync.wakeup import Waker

log = structlog.get_logger("gateway.dispatcher")

#: ``on_attempt(tenant, kind, outcome, seconds)``, for metrics
OnAttempt = Callable[[str, str, str, float], None]


@dataclass(frozen=True)
class LaneLimits:
    concurrency: int = 10
    rate: float = 0.0  # registry requests per second; 0 = no limit


@dataclass
class Lane:
    tenant: str
    limits: LaneLimits
    bucket: TokenBucket
    breaker: CircuitBreaker
    in_flight: int = 0

    @property
    def free(self) -> int:
        return self.limits.concurrency - self.in_flight


@dataclass
class DispatchStats:
    ok: int = 0
    retried: int = 0
    failed: int = 0
    lease_lost: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.ok + self.retried + self.failed + self.lease_lost


class Dispatcher:
    def __init__(
        self,
        factory: sessionmaker[Session],
        registries: RegistryFactory,
        repliers: Mapping[str, Replier],
        *,
        owner: str,
        calendar: HolidayCalendar,
        lanes: Mapping[str, LaneLimits],
        sla: SlaPolicy | None = None,
        policy: RetryPolicy | None = None,
        lease_seconds: float = 60.0,
        circuit_failures: int = 5,
        circuit_cooldown: float = 10.0,
        rng: random.Random | None = None,
        on_attempt: OnAttempt | None = None,
        on_circuit: Callable[[str, CircuitBreaker], None] | None = None,
    ) -> None:
        self.factory = factory
        self.registries = registries
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.on_attempt = on_attempt
        self.runner = JobRunner(
            factory,
            repliers,
            calendar,
            sla or SlaPolicy(),
            policy or RetryPolicy(),
            rng or random.Random(),
        )
        self.lanes: dict[str, Lane] = {}
        for tenant, limits in lanes.items():
            breaker = CircuitBreaker(threshold=circuit_failures, cooldown=circuit_cooldown)
            if on_circuit is not None:
                breaker.on_change = lambda b, t=tenant: on_circuit(t, b)
            self.lanes[tenant] = Lane(tenant, limits, TokenBucket(limits.rate), breaker)
        self._order = list(self.lanes)
        self._tasks: set[asyncio.Task[None]] = set()
        self._waker: Waker | None = None

    # --- the loop ---------------------------------------------------------------

    async def run_forever(
        self, stop: asyncio.Event, waker: Waker, poll_interval: float = 1.0
    ) -> None:
        """Claim and run jobs until ``stop``; a finished job or an announced one wakes it."""
        self._waker = waker
        try:
            while not stop.is_set():
                try:
                    claimed = await self.fill(DispatchStats())
                except SQLAlchemyError as exc:  # the database is down: keep trying
                    log.warning("claiming jobs failed", error=type(exc).__name__)
                    claimed = 0
                if not claimed:
                    await waker.wait(poll_interval)
        finally:
            await self.wait_idle(timeout=self.lease_seconds / 2)
            self._waker = None

    async def run_once(self) -> DispatchStats:
        """Fill every lane once and wait for those jobs (tests and benchmarks)."""
        stats = DispatchStats()
        await self.fill(stats)
        await self.wait_idle()
        return stats

    async def wait_idle(self, timeout: float | None = None) -> None:
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def fill(self, stats: DispatchStats) -> int:
        """Claim for each lane with free slots, starting after last round's first lane."""
        claimed = 0
        if self._order:
            self._order.append(self._order.pop(0))
        for tenant in list(self._order):
            lane = self.lanes[tenant]
            # claim when a quarter of the lane is free: fewer, larger claims
            if lane.free < max(1, lane.limits.concurrency // 4) and lane.in_flight:
                continue
            for job in await self._claim(lane):
                claimed += 1
                lane.in_flight += 1
                task = asyncio.create_task(self._run_in_lane(lane, job, stats))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
        return claimed

    async def _claim(self, lane: Lane) -> list[outbox.ClaimedJob]:
        if lane.free <= 0:
            return []
        claim = outbox.claim
        args = (self.factory, self.owner)
        if lane.breaker.state == CircuitState.CLOSED:
            return await asyncio.to_thread(
                claim, *args, lane.free, self.lease_seconds, tenants=[lane.tenant]
            )
        # the registry is failing for this tenant: channel replies go on, and
        # after the cool-down one registry job goes through as a probe
        jobs = await asyncio.to_thread(
            claim, *args, lane.free, self.lease_seconds, tenants=[lane.tenant], kinds=["notify"]
        )
        if lane.free - len(jobs) > 0 and lane.breaker.allows():
            probe = await asyncio.to_thread(
                claim, *args, 1, self.lease_seconds, tenants=[lane.tenant], kinds=REGISTRY_KINDS
            )
            if not probe:
                lane.breaker.probing = False
            jobs += probe
        return jobs

    # --- one job ----------------------------------------------------------------

    async def _run_in_lane(self, lane: Lane, job: outbox.ClaimedJob, stats: DispatchStats) -> None:
        started = time.perf_counter()
        ambiguity = Ambiguity(job.ambiguous)
        bound = log.bind(job_id=job.id, kind=job.kind, tenant=job.tenant, attempt=job.attempts)
        error: GatewayError | None = None
        try:
            registry = ThrottledRegistry(self.registries.for_tenant(job.tenant), lane.bucket)
            await self.runner.run(job, registry, ambiguity)
            outcome = "ok"
        except GatewayError as exc:
            error = exc
        except SQLAlchemyError as exc:
            # the database failed under us: the lease runs out and another attempt
            # (ambiguous, so it looks up first) takes the job over
            outcome = "lease_lost"
            bound.warning("job attempt could not be recorded", error=type(exc).__name__)
        except Exception as exc:  # a bug must not kill the loop
            bound.exception("job attempt crashed")
            error = GatewayError(ErrorKind.RETRYABLE, f"internal error: {type(exc).__name__}")
            ambiguity.value = ambiguity.value or job.kind == "submit"
        finally:
            lane.in_flight -= 1
        if job.kind in REGISTRY_KINDS:
            lane.breaker.record(error)
        seconds = time.perf_counter() - started
        if error is not None:
            try:
                outcome = await asyncio.to_thread(
                    self.runner.record_failure, job, error, ambiguity.value, seconds * 1000
                )
            except SQLAlchemyError:
                outcome = "lease_lost"
        setattr(stats, _STAT[outcome], getattr(stats, _STAT[outcome]) + 1)
        stats.by_kind[job.kind] = stats.by_kind.get(job.kind, 0) + 1
        if self.on_attempt is not None:
            self.on_attempt(job.tenant, job.kind, outcome, seconds)
        bound.info(
            "job attempt",
            outcome=outcome,
            error=error.message if error else None,
            latency_ms=round(seconds * 1000, 1),
        )
        if self._waker is not None:
            self._waker.set()  # a slot is free


_STAT = {
    "ok": "ok",
    "retry": "retried",
    "throttled": "retried",
    "failed": "failed",
    "lease_lost": "lease_lost",
}
