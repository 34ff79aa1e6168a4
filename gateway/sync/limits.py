"""Per-tenant limits towards the registry: a token bucket and a circuit breaker.

Both are decided here and only here; the dispatcher asks before it claims or sends.
A tenant's limits are shared by every process that dispatches (:class:`TenantLimits`):
each takes its share, so the tenant's total stays within what is configured.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.ports import (
    Agency,
    ChangesPage,
    NationalRegistry,
    Receipt,
    RemoteComplaint,
    Submission,
    Topic,
)

Clock = Callable[[], float]


class TokenBucket:
    """At most ``rate`` acquisitions a second on average, bursts up to ``burst``.

    ``rate`` 0 means no limit. Waiters are served in arrival order.
    """

    def __init__(self, rate: float, burst: float | None = None, clock: Clock = time.monotonic):
        self.rate = rate
        self._burst = burst
        self.capacity = burst if burst is not None else max(1.0, rate / 10)
        self._tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self._lock = asyncio.Lock()

    def set_rate(self, rate: float) -> None:
        """A new rate from now on (this process's share changed); tokens so far are kept."""
        if rate == self.rate:
            return
        self._refill()
        self.rate = rate
        self.capacity = self._burst if self._burst is not None else max(1.0, rate / 10)
        self._tokens = min(self._tokens, self.capacity)

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def delay(self) -> float:
        """Take a token now and return how long to wait for it (0 when one was there)."""
        if self.rate <= 0:
            return 0.0
        self._refill()
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> None:
        if self.rate <= 0:
            return
        async with self._lock:  # one waiter at a time keeps the order fair
            wait = self.delay()
            if wait > 0:
                await asyncio.sleep(wait)


@dataclass(frozen=True)
class LaneLimits:
    """A tenant's limits towards the registry: requests in flight, requests a second."""

    concurrency: int = 10
    rate: float = 0.0  # registry requests per second; 0 = no limit


def share_of(limits: LaneLimits, peers: int, index: int) -> LaneLimits:
    """Process ``index`` of ``peers``'s part of ``limits``: the rate divided evenly, the
    concurrency split so that the parts add up to it (but at least 1 each)."""
    peers = max(1, peers)
    base, extra = divmod(limits.concurrency, peers)
    concurrency = max(1, base + (1 if index < extra else 0))
    return LaneLimits(concurrency, limits.rate / peers if limits.rate > 0 else 0.0)


class TenantLimits:
    """Each tenant's token bucket and concurrency in this process, built once.

    The dispatcher and the status puller take their tokens from the same bucket.
    :meth:`share` divides the configured limits among the live dispatching
    processes (:mod:`gateway.sync.peers`); alone, a process has all of them.
    """

    def __init__(self, configured: Mapping[str, LaneLimits], clock: Clock = time.monotonic):
        self.configured = dict(configured)
        self.current = dict(configured)
        self.buckets = {t: TokenBucket(lim.rate, clock=clock) for t, lim in configured.items()}
        self.peers = 1
        self.index = 0

    def bucket(self, tenant: str) -> TokenBucket:
        return self.buckets.setdefault(tenant, TokenBucket(0))

    def concurrency(self, tenant: str) -> int:
        limits = self.current.get(tenant)
        return limits.concurrency if limits is not None else LaneLimits().concurrency

    def share(self, peers: int, index: int) -> None:
        """This process is number ``index`` of ``peers`` live ones."""
        self.peers, self.index = peers, index
        for tenant, limits in self.configured.items():
            mine = share_of(limits, peers, index)
            self.current[tenant] = mine
            self.bucket(tenant).set_rate(mine.rate)


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass
class CircuitBreaker:
    """Stops sending to a registry that keeps failing, and probes it until it answers.

    Only transport failures and 5xx count (``retryable``); a 429 means the registry
    is alive, and a 4xx is about the content, not the registry's health.
    """

    threshold: int = 5
    cooldown: float = 10.0
    clock: Clock = time.monotonic
    state: CircuitState = CircuitState.CLOSED
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False
    last_error: str | None = None
    on_change: Callable[[CircuitBreaker], None] | None = field(default=None, repr=False)

    def allows(self) -> bool:
        """May a registry request be made now? In half-open, one probe at a time."""
        if self.state == CircuitState.CLOSED:
            return True
        if self.state == CircuitState.OPEN:
            assert self.opened_at is not None
            if self.clock() - self.opened_at < self.cooldown:
                return False
            self._set(CircuitState.HALF_OPEN)
        if self.probing:
            return False
        self.probing = True
        return True

    def record(self, error: GatewayError | None) -> None:
        """The outcome of a request that :meth:`allows` let through."""
        was_probe, self.probing = self.probing, False
        if error is None or error.kind != ErrorKind.RETRYABLE:
            if self.state != CircuitState.CLOSED or self.failures:
                self.failures = 0
                self._set(CircuitState.CLOSED)
            return
        self.failures += 1
        self.last_error = error.message
        if was_probe or self.state == CircuitState.HALF_OPEN or self.failures >= self.threshold:
            self.opened_at = self.clock()
            self._set(CircuitState.OPEN)

    def _set(self, state: CircuitState) -> None:
        changed = state != self.state
        self.state = state
        if self.on_change is not None and (changed or state == CircuitState.OPEN):
            self.on_change(self)


class LeaseRunningOut(Exception):
    """A request would start too late to finish under the job's lease: send nothing."""


class ThrottledRegistry:
    """A tenant's registry client that takes a token from the bucket before each call.

    With a ``deadline`` (``time.monotonic()``), a call whose token comes later
    raises :class:`LeaseRunningOut` instead of sending.
    """

    def __init__(
        self, inner: NationalRegistry, bucket: TokenBucket, deadline: float | None = None
    ) -> None:
        self._inner = inner
        self._bucket = bucket
        self._deadline = deadline

    async def _token(self) -> None:
        await self._bucket.acquire()
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise LeaseRunningOut

    async def submit(self, submission: Submission) -> Receipt:
        await self._token()
        return await self._inner.submit(submission)

    async def find_by_external_ref(self, external_ref: str) -> Receipt | None:
        await self._token()
        return await self._inner.find_by_external_ref(external_ref)

    async def get(self, tracking_id: str) -> RemoteComplaint:
        await self._token()
        return await self._inner.get(tracking_id)

    async def changes(self, cursor: str | None, limit: int) -> ChangesPage:
        await self._token()
        return await self._inner.changes(cursor, limit)

    async def comment(self, tracking_id: str, text: str, author: str | None) -> None:
        await self._token()
        await self._inner.comment(tracking_id, text, author)

    async def topics(self) -> list[Topic]:
        await self._token()
        return await self._inner.topics()

    async def agencies(self) -> list[Agency]:
        await self._token()
        return await self._inner.agencies()


def circuit_open_error(breaker: CircuitBreaker) -> GatewayError:
    return GatewayError(
        ErrorKind.RETRYABLE,
        f"circuit open towards the national registry: {breaker.last_error or 'failing'}",
    )
