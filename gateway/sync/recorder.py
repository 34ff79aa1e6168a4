"""Recording finished attempts: one transaction for every attempt that finished meanwhile.

Each job's attempt awaits :meth:`Recorder.record`; while one batch is being
written, the next gathers (group commit), so the database sees one transaction
per batch, not per job. Within it every job is fenced on its own
(:func:`gateway.storage.outbox.finish_many`): a job whose lease was lost changes
nothing. A submission's tracking ID, history entry and the citizen's notify job
commit with its job. If a batch fails, its jobs are written one by one so that
one bad job cannot hold the others back; a job that still cannot be written is
``lease_lost``: its lease runs out and the next attempt (ambiguous, so it looks
up first) takes it over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.storage import outbox
from gateway.storage.complaints import fail, lock_many
from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.submissions import Submitted, mark_submitted_many
from gateway.sync.jobs import Finished

log = structlog.get_logger("gateway.recorder")

_OUTCOMES = {outbox.RELEASED: "released"}


class Recorder:
    def __init__(
        self,
        factory: sessionmaker[Session],
        calendar: HolidayCalendar,
        sla: SlaPolicy,
        run_db: Callable[[Callable[[], list[bool]]], Awaitable[list[bool]]],
        *,
        linger: float = 0.02,
        max_batch: int = 200,
        on_notify_jobs: Callable[[], None] | None = None,
    ) -> None:
        self.factory = factory
        self.calendar = calendar
        self.sla = sla
        self.run_db = run_db
        self.linger = linger
        self.max_batch = max_batch
        self.on_notify_jobs = on_notify_jobs
        self._pending: list[tuple[Finished, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches = 0

    async def record(self, finished: Finished) -> str:
        """Write ``finished`` (with others); the attempt's outcome, ``lease_lost`` if fenced."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((finished, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        owned = await asyncio.shield(future)
        finish = finished.finish
        if not owned:
            return "lease_lost"
        return _OUTCOMES.get(finish.state, finish.outcome)

    async def _flush(self) -> None:
        while self._pending:
            if self.linger > 0 and len(self._pending) < self.max_batch:
                await asyncio.sleep(self.linger)  # let the batch gather
            batch, self._pending = (
                self._pending[: self.max_batch],
                self._pending[self.max_batch :],
            )
            items = [finished for finished, _ in batch]
            try:
                owned = await self._write_batch(items)
            except Exception as exc:  # a bug: the futures must not hang
                log.exception("recording attempts failed")
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self.batches += 1
            for (_, future), ok in zip(batch, owned, strict=True):
                if not future.done():
                    future.set_result(ok)
            if self.on_notify_jobs is not None and any(_makes_notify(f) for f in items):
                self.on_notify_jobs()  # the next message of a queue can go now, too

    async def _write_batch(self, items: list[Finished]) -> list[bool]:
        try:
            return await self.run_db(lambda: self.write(items))
        except SQLAlchemyError as exc:
            if len(items) == 1:
                log.warning("attempt could not be recorded", error=type(exc).__name__)
                return [False]
            log.warning(
                "batch could not be recorded; one by one", size=len(items), error=type(exc).__name__
            )
        owned: list[bool] = []
        for item in items:
            owned += await self._write_batch([item])
        return owned

    def write(self, items: Sequence[Finished]) -> list[bool]:
        """Record ``items`` in one transaction; per item, whether its lease was held."""
        now = utcnow()
        with transaction(self.factory) as session:
            owned = outbox.finish_many(session, [item.finish for item in items])
            submitted = [
                Submitted(i.job.complaint_id, i.receipt.tracking_id, i.receipt.created_at or now)
                for i, ok in zip(items, owned, strict=True)
                if ok and i.receipt is not None and i.finish.state == outbox.DONE
            ]
            failed = [i for i, ok in zip(items, owned, strict=True) if ok and _failed_submit(i)]
            complaints = {}
            if failed:  # rare: lock all of the batch's complaints in one id order first
                ids = [i.job.complaint_id for i in failed] + [s.complaint_id for s in submitted]
                complaints = lock_many(session, ids)
            mark_submitted_many(session, submitted, self.calendar, self.sla)
            for item in failed:
                complaint = complaints.get(item.job.complaint_id)
                if complaint is not None:
                    fail(session, complaint, item.finish.error or "refused")
        return owned


def _failed_submit(item: Finished) -> bool:
    return item.finish.state == outbox.FAILED and item.job.kind == "submit"


def _makes_notify(item: Finished) -> bool:
    """A submission whose tracking ID is recorded: the citizen gets a reply; or a message
    to a citizen is finished and the next of its queue (complaint, chat) may go."""
    if item.finish.state in (outbox.DONE, outbox.FAILED) and item.job.behind:
        return True
    return item.finish.state == outbox.DONE and item.receipt is not None
