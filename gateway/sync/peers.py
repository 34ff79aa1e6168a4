"""Per-tenant limits that hold across processes: each takes its share.

Every dispatching process (``gateway worker``, ``gateway serve`` with the sync
engine) renews a heartbeat row (:mod:`gateway.storage.heartbeat`) every
``interval`` seconds and counts the live ones, itself included. With ``n`` live
processes, each one's token bucket runs at ``rate / n`` and its lanes admit their
part of the concurrency (the parts add up to it, at least 1 each; see
:func:`gateway.sync.limits.share_of`). A process that dies keeps its share until
its heartbeat is ``ttl`` seconds old; one that starts gets its share at once, and
the others give theirs up at their next heartbeat, so for up to ``interval``
seconds the sum may exceed the limit.
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.storage import heartbeat
from gateway.sync.limits import TenantLimits

log = structlog.get_logger("gateway.peers")


class Peers:
    def __init__(
        self,
        factory: sessionmaker[Session],
        owner: str,
        limits: TenantLimits,
        *,
        interval: float = 1.0,
        ttl: float = 5.0,
    ) -> None:
        self.factory = factory
        self.owner = owner
        self.limits = limits
        self.interval = interval
        self.ttl = ttl
        self.live: list[str] = [owner]

    async def beat(self) -> None:
        """Renew this process's heartbeat and take its share of every tenant's limits."""
        live = await asyncio.to_thread(heartbeat.beat, self.factory, self.owner, self.ttl)
        self.apply(live)

    def apply(self, live: list[str]) -> None:
        if self.owner not in live:
            live = sorted([*live, self.owner])
        index = live.index(self.owner)
        if (len(live), index) != (self.limits.peers, self.limits.index):
            log.info("sharing tenant limits", processes=len(live), index=index)
            self.limits.share(len(live), index)
        self.live = live

    async def run(self, stop: asyncio.Event) -> None:
        """Beat every ``interval`` seconds until ``stop``; keep the last share while the
        database is away."""
        while not stop.is_set():
            try:
                await self.beat()
            except SQLAlchemyError as exc:
                log.warning("heartbeat failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)

    async def leave(self) -> None:
        with contextlib.suppress(SQLAlchemyError):
            await asyncio.to_thread(heartbeat.leave, self.factory, self.owner)
