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

_local_listeners: list[Callable[[], None]] = []
_lock = threading.Lock()


def announce(session: Session) -> None:
    """Inside the transaction that wrote jobs: tell other processes on commit."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})


def announce_local() -> None:
    """After a commit that wrote jobs: wake this process's dispatcher (any thread)."""
    with _lock:
        listeners = list(_local_listeners)
    for listener in listeners:
        listener()


class Waker:
    """An event the dispatcher waits on; safe to set from any thread."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def set(self) -> None:
        self._event.set()

    def set_threadsafe(self) -> None:
        self._loop.call_soon_threadsafe(self._event.set)

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
