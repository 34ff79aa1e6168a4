"""The background work of a gateway process: the dispatcher loop and the status puller.

Runs inside ``gateway serve`` (next to the HTTP app) and alone in ``gateway
worker``; any number of them may share one PostgreSQL database. The dispatcher
runs continuously, woken by new jobs; the puller runs on an APScheduler
interval, in one process at a time (a singleton lease that another process
takes over when its holder dies).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.sync import singleton, wakeup
from gateway.sync.dispatcher import Dispatcher
from gateway.sync.puller import PullStats, StatusPuller

log = structlog.get_logger("gateway.scheduler")

PULLER_LEASE = "puller"


class SyncSchedule:
    def __init__(
        self,
        dispatcher: Dispatcher,
        puller: StatusPuller,
        *,
        factory: sessionmaker[Session],
        owner: str,
        pull_interval: float,
        poll_interval: float,
        singleton_ttl: float,
        listen_dsn: str | None = None,
        on_pull: Callable[[PullStats], None] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.puller = puller
        self.factory = factory
        self.owner = owner
        self.poll_interval = poll_interval
        self.singleton_ttl = singleton_ttl
        self.listen_dsn = listen_dsn
        self.on_pull = on_pull
        self.holds_puller = False
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.scheduler.add_job(
            self.pull_tick,
            "interval",
            seconds=pull_interval,
            id="pull",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._unregister: Callable[[], None] | None = None

    async def start(self) -> None:
        waker = wakeup.Waker()
        self._unregister = waker.register_local()
        self._tasks.append(
            asyncio.create_task(self.dispatcher.run_forever(self._stop, waker, self.poll_interval))
        )
        if self.listen_dsn:
            self._tasks.append(
                asyncio.create_task(wakeup.listen_postgres(self.listen_dsn, waker, self._stop))
            )
        self.scheduler.start()

    async def pull_tick(self) -> None:
        try:
            self.holds_puller = await asyncio.to_thread(
                singleton.try_acquire, self.factory, PULLER_LEASE, self.owner, self.singleton_ttl
            )
            if not self.holds_puller:
                return
            stats = await self.puller.run_once()
            if stats.events:
                log.info("changes pulled", events=stats.events, outcomes=stats.outcomes)
            if stats.outcomes.get("applied"):
                wakeup.announce_local()  # notify jobs are waiting
            if self.on_pull is not None:
                self.on_pull(stats)
        except SQLAlchemyError as exc:
            log.warning("pull tick failed: database", error=type(exc).__name__)
        except Exception:
            log.exception("pull tick failed")

    async def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self._stop.set()
        if self._unregister is not None:
            self._unregister()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=30)
        if self.holds_puller:
            with contextlib.suppress(SQLAlchemyError):
                await asyncio.to_thread(singleton.release, self.factory, PULLER_LEASE, self.owner)
