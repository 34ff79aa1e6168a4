"""A tenant's lane in the dispatcher: how many of its jobs are claimed and in flight.

Registry jobs (submit, comment) pass a :class:`Gate` whose size is the tenant's
concurrency share: only requests to the registry count against it, not the
database work before and after. As many jobs again are claimed ahead (prefetch),
so the gate never waits for a claim. Notify jobs have slots of their own and never
queue behind the tenant's registry backlog.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

from gateway.sync.limits import CircuitBreaker, TokenBucket


class Gate:
    """At most ``limit`` holders at once, first come first served; resizable at any time."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        if self.active < self.limit and not self._waiters:
            self.active += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # granted: release() counted us in
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # granted and cancelled at once: pass it on
            else:
                self._waiters.remove(waiter)
            raise

    def release(self) -> None:
        self.active -= 1
        self._grant()

    def resize(self, limit: int) -> None:
        self.limit = limit
        self._grant()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def _grant(self) -> None:
        while self._waiters and self.active < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.active += 1
                waiter.set_result(None)


@dataclass
class Lane:
    tenant: str
    bucket: TokenBucket
    breaker: CircuitBreaker
    gate: Gate
    notify_slots: int
    #: registry jobs claimed and not yet through the gate and back
    held: int = 0
    #: notify jobs claimed and not yet sent
    notifying: int = 0
    #: per kind of claim: the waker's generation and the time when it found nothing due
    dry: dict[str, tuple[int, float]] = field(default_factory=dict)

    @property
    def slots(self) -> int:
        return self.gate.limit

    def registry_room(self, prefetch: bool) -> int:
        """Registry jobs to claim now: up to the slots, plus as many again ahead."""
        target = self.slots * 2 if prefetch else self.slots
        return target - self.held

    def worth_claiming(self, room: int, prefetch: bool) -> bool:
        """Claim when a quarter of the lane's claims are spent, or the gate would idle."""
        if room <= 0:
            return False
        if not prefetch or self.held < self.slots:
            return True
        return room >= max(1, self.slots // 2)

    def is_dry(self, kind: str, generation: int, poll_interval: float) -> bool:
        """Nothing was due at the last claim, and nothing has been announced since."""
        found = self.dry.get(kind)
        if found is None:
            return False
        at_generation, at = found
        if at_generation == generation and time.monotonic() - at < poll_interval:
            return True
        del self.dry[kind]
        return False
