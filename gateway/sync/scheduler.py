"""The background schedule: dispatcher and status puller under APScheduler.

Runs inside ``gateway serve`` (next to the HTTP app) and alone in
``gateway worker``.
"""

from __future__ import annotations

import time

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from gateway.sync.dispatcher import Dispatcher
from gateway.sync.puller import StatusPuller

log = structlog.get_logger("gateway.scheduler")


class SyncSchedule:
    def __init__(
        self,
        dispatcher: Dispatcher,
        puller: StatusPuller,
        *,
        dispatch_interval: float,
        pull_interval: float,
        time_budget: float = 5.0,
    ) -> None:
        self.dispatcher = dispatcher
        self.puller = puller
        self.time_budget = time_budget
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.scheduler.add_job(
            self.dispatch_tick,
            "interval",
            seconds=dispatch_interval,
            id="dispatch",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self.scheduler.add_job(
            self.pull_tick,
            "interval",
            seconds=pull_interval,
            id="pull",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    async def dispatch_tick(self) -> None:
        """Keep claiming while batches come back full, within a time budget."""
        deadline = time.monotonic() + self.time_budget
        try:
            while True:
                stats = await self.dispatcher.run_once()
                handled = stats.ok + stats.retried + stats.failed + stats.lease_lost
                if handled < self.dispatcher.batch or time.monotonic() > deadline:
                    return
        except Exception:
            log.exception("dispatch tick failed")

    async def pull_tick(self) -> None:
        try:
            stats = await self.puller.run_once()
            if stats.events:
                log.info("changes pulled", events=stats.events, outcomes=stats.outcomes)
        except Exception:
            log.exception("pull tick failed")

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
