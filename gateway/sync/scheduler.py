"""The background work of a gateway process: the dispatcher loop, the status puller
and the heartbeat that shares tenants' limits with other processes.

Runs inside ``gateway serve`` (next to the HTTP app) and alone in ``gateway
worker``; any number of them may share one PostgreSQL database. The dispatcher
runs continuously, woken by new jobs; the puller ticks every ``pull_interval``
seconds after the previous tick ended (so ticks never overlap, however long one
takes), in one process at a time (a singleton lease that another process takes
over when its holder dies).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.sync import singleton, wakeup
from gateway.sync.dispatcher import Dispatcher
from gateway.sync.peers import Peers
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
        peers: Peers | None = None,
        listen_dsn: str | None = None,
        on_pull: Callable[[PullStats], None] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.puller = puller
        self.factory = factory
        self.owner = owner
        self.pull_interval = pull_interval
        self.poll_interval = poll_interval
        self.singleton_ttl = singleton_ttl
        self.peers = peers
        self.listen_dsn = listen_dsn
        self.on_pull = on_pull
        self.holds_puller = False
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._unregister: Callable[[], None] | None = None

    async def start(self) -> None:
        if self.peers is not None:
            # the first share before the first claim; the database may still be away
            with contextlib.suppress(SQLAlchemyError):
                await self.peers.beat()
            self._tasks.append(asyncio.create_task(self.peers.run(self._stop)))
        waker = wakeup.Waker()
        self._unregister = waker.register_local()
        self._tasks.append(
            asyncio.create_task(self.dispatcher.run_forever(self._stop, waker, self.poll_interval))
        )
        if self.listen_dsn:
            self._tasks.append(
                asyncio.create_task(wakeup.listen_postgres(self.listen_dsn, waker, self._stop))
            )
        self._tasks.append(asyncio.create_task(self._pull_loop()))

    async def _pull_loop(self) -> None:
        """A tick, then ``pull_interval`` seconds of rest, until stopped."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.pull_interval)
            if not self._stop.is_set():
                await self.pull_tick()

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
        self._stop.set()
        if self._unregister is not None:
            self._unregister()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=30)
        if self.holds_puller:
            with contextlib.suppress(SQLAlchemyError):
                await asyncio.to_thread(singleton.release, self.factory, PULLER_LEASE, self.owner)
        if self.peers is not None:
            await self.peers.leave()
