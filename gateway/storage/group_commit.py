"""Group commit: requests that arrive while a write is running share the next one.

An idle gateway writes a request at once, in a transaction of its own. Under load,
every request that arrives while a transaction is being written waits for the next
one, which stores them all (:func:`gateway.storage.intake.record_many`): one
commit and one statement per table for the lot instead of one transaction each.
Every request is still answered only after the transaction holding it committed.
"""

from __future__ import annotations

import asyncio

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.intake import IntakeItem, IntakeResult, record_many

MAX_BATCH = 200


class IntakeWriter:
    """One per process (per event loop); ``record`` from any request handler."""

    def __init__(self, factory: sessionmaker[Session], *, max_batch: int = MAX_BATCH) -> None:
        self._factory = factory
        self._max_batch = max_batch
        self._waiting: list[tuple[IntakeItem, asyncio.Future[IntakeResult]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.batches = 0
        self.items = 0

    async def record(self, item: IntakeItem) -> IntakeResult:
        """Store ``item``; returns once it is committed (or raises what the write raised)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[IntakeResult] = loop.create_future()
        self._waiting.append((item, future))
        writer = self._writer
        if writer is None or writer.done() or writer.get_loop() is not loop:
            # (a writer left on another loop: a test client that ran each request in its own)
            self._writer = loop.create_task(self._write_while_waiting())
        return await future

    async def _write_while_waiting(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._write(batch)
        finally:
            if self._writer is asyncio.current_task():
                self._writer = None

    async def _write(self, batch: list[tuple[IntakeItem, asyncio.Future[IntakeResult]]]) -> None:
        items = [item for item, _ in batch]
        try:
            outcomes = await anyio.to_thread.run_sync(record_many, self._factory, items)
        except BaseException as exc:  # the database is down: every request in the batch fails
            for _, future in batch:
                if future.done():
                    continue
                if isinstance(exc, Exception):
                    future.set_exception(exc)
                else:
                    future.cancel()
            if not isinstance(exc, Exception):
                raise
            return
        self.batches += 1
        self.items += len(items)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the client went away; the complaint is stored all the same
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
