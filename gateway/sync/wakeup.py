"""Waking the dispatcher the moment there is work, instead of at its next poll.

In one process an :class:`asyncio.Event` is enough: the intake calls
:func:`announce_local` after its commit. Across processes PostgreSQL carries
the news: every transaction that writes a job also runs ``pg_notify`` (delivered
on commit, dropped on rollback), and each worker LISTENs on a connection of
its own. SQLite has no such channel; workers in other processes poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable

import structlog
from sqlalchemy import text
from sqlalchemy.orm import Session

log = structlog.get_logger("gateway.wakeup")

CHANNEL = "gateway_outbox"
_ANNOUNCED = "gateway.wakeup.announced"

_local_listeners: list[Callable[[], None]] = []
_lock = threading.Lock()


def announce(session: Session) -> None:
    """Inside the transaction that wrote jobs: tell other processes on commit (once)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    current = session.get_transaction()
    if current is not None and session.info.get(_ANNOUNCED) is current:
        return  # this transaction already notifies
    session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    session.info[_ANNOUNCED] = current


def announce_local() -> None:
    """After a commit that wrote jobs: wake this process's dispatcher (any thread)."""
    with _lock:
        listeners = list(_local_listeners)
    for listener in listeners:
        listener()


class Waker:
    """An event the dispatcher waits on; safe to set from any thread.

    :meth:`set` means news: jobs may have been written (``generation`` counts the
    news). :meth:`poke` only wakes the loop: a slot came free, nothing new was written.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        self.generation = 0

    def set(self) -> None:
        self.generation += 1
        self._event.set()

    def poke(self) -> None:
        self._event.set()

    def set_threadsafe(self) -> None:
        self._loop.call_soon_threadsafe(self.set)

    async def wait(self, timeout: float) -> bool:
        """True if woken, False on timeout; the event is cleared either way."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._event.clear()

    def register_local(self) -> Callable[[], None]:
        """Wake on :func:`announce_local`; returns the function that unregisters."""
        with _lock:
            _local_listeners.append(self.set_threadsafe)

        def unregister() -> None:
            with _lock, contextlib.suppress(ValueError):
                _local_listeners.remove(self.set_threadsafe)

        return unregister


async def listen_postgres(dsn: str, waker: Waker, stop: asyncio.Event) -> None:
    """LISTEN for new jobs until ``stop``; reconnects when the database goes away."""
    import psycopg

    delay = 0.5
    while not stop.is_set():
        try:
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                delay = 0.5
                waker.set()  # jobs may have arrived while we were not listening
                while not stop.is_set():
                    async for _ in conn.notifies(timeout=1.0):
                        waker.set()
        except (psycopg.Error, OSError) as exc:
            log.warning("job notifications lost; reconnecting", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, 10.0)
