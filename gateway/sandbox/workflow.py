"""The national workflow as the sandbox plays it, and the clock that drives it.

A complaint goes ``belum_terverifikasi -> terverifikasi -> terdisposisi ->
ditindaklanjuti -> selesai``, one step every ``step_seconds``. At verification a
share (``archive_rate``) is archived (``diarsipkan``) with a reason instead. At
disposition it gets an agency (the one submitted, else one of the topic's sector
and the complaint's region); at follow-up that agency's response. Every step is a
change event in the feed, with the complaint's national topic.

An operator may have verification reclassify a complaint (``topic_id`` on
:meth:`Clock.advance`): the feed then carries the new topic, and the complaint is
disposed by it, no longer to the agency it was submitted with.

Choices are drawn from a random generator seeded by the sandbox seed, the tracking
ID and the step, so with a fixed seed a complaint takes the same path whatever the
order in which the clock meets it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import replace
from typing import Any

from gateway.sandbox.catalog import Catalog
from gateway.sandbox.records import OpenComplaint, Step
from gateway.sandbox.store import Store

SUBMITTED = "belum_terverifikasi"
VERIFIED = "terverifikasi"
DISPOSED = "terdisposisi"
FOLLOWED_UP = "ditindaklanjuti"
DONE = "selesai"
ARCHIVED = "diarsipkan"
CHAIN = (SUBMITTED, VERIFIED, DISPOSED, FOLLOWED_UP, DONE)
TERMINAL = frozenset({DONE, ARCHIVED})
STATUSES = frozenset({*CHAIN, ARCHIVED})

_log = logging.getLogger(__name__)


class WorkflowError(ValueError):
    """A step the national workflow does not allow (e.g. out of ``selesai``)."""


class Workflow:
    """Decides the next step of a complaint; pure apart from the clock it is given."""

    def __init__(
        self, catalog: Catalog, *, step_seconds: float, archive_rate: float, seed: int | None
    ) -> None:
        self.catalog = catalog
        self.step_seconds = step_seconds
        self.archive_rate = archive_rate
        self._seed = seed if seed is not None else random.SystemRandom().getrandbits(32)

    def _rng(self, complaint: OpenComplaint, status: str) -> random.Random:
        return random.Random(f"{self._seed}:{complaint.tracking_id}:{status}")

    def next_step(
        self,
        complaint: OpenComplaint,
        now: float,
        *,
        archive: bool = True,
        response: str | None = None,
        agency_code: str | None = None,
        topic_id: int | None = None,
    ) -> Step:
        """The step after ``complaint.status``; ``archive`` lets verification archive;
        ``topic_id`` is the topic verification gives it (only from ``belum_terverifikasi``)."""
        c, due = complaint, now + self.step_seconds
        rng = self._rng(c, c.status)
        if topic_id is not None:
            self._check_reclassify(c, topic_id)
        if c.status == SUBMITTED:
            if archive and rng.random() < self.archive_rate:
                return self.archive(c, response)
            return Step(VERIFIED, response, None, None, due, topic_id)
        if c.status == VERIFIED:
            return self.dispose(c, now, response=response, agency_code=agency_code)
        if c.status == DISPOSED:
            agency = self.catalog.assign_agency(c.agency_code, c.topic_id, c.region_code)
            text = response or self.catalog.response_for(agency, c.topic_id, rng)
            return Step(FOLLOWED_UP, text, agency.code, agency.name, due)
        if c.status == FOLLOWED_UP:
            return Step(DONE, response, c.agency_code, c.agency_name, None)
        raise WorkflowError(f"complaint {c.tracking_id} is {c.status}: it takes no more steps")

    def _check_reclassify(self, c: OpenComplaint, topic_id: int) -> None:
        if c.status != SUBMITTED:
            raise WorkflowError(
                f"complaint {c.tracking_id} is {c.status}: only verification changes its topic"
            )
        if topic_id not in self.catalog.topics:
            raise WorkflowError(f"unknown topic_id {topic_id!r}")

    def dispose(
        self,
        c: OpenComplaint,
        now: float,
        *,
        response: str | None = None,
        agency_code: str | None = None,
    ) -> Step:
        wanted = agency_code or c.requested_agency
        if agency_code and agency_code not in self.catalog.agencies:
            raise WorkflowError(f"unknown agency_code {agency_code!r}")
        agency = self.catalog.assign_agency(wanted, c.topic_id, c.region_code)
        return Step(DISPOSED, response, agency.code, agency.name, now + self.step_seconds)

    def archive(self, c: OpenComplaint, reason: str | None = None) -> Step:
        text = reason or self.catalog.archive_reason(self._rng(c, ARCHIVED))
        return Step(ARCHIVED, text, c.agency_code, c.agency_name, None)

    def steps_to(
        self,
        complaint: OpenComplaint,
        target: str | None,
        now: float,
        *,
        response: str | None = None,
        agency_code: str | None = None,
        topic_id: int | None = None,
    ) -> list[Step]:
        """The steps an operator asks for: one step on (``target`` None), every step up
        to ``target``, a response on the current status (``target`` equal to it), a
        re-disposition (``terdisposisi`` from ``ditindaklanjuti``) or an archive.
        ``response`` goes to the last step; ``topic_id`` to verification, which must be
        among the steps. Never archives unless asked to."""
        c = complaint
        if target is not None and target not in STATUSES:
            raise WorkflowError(f"unknown national status {target!r}")
        if topic_id is not None:
            self._check_reclassify(c, topic_id)
            if target in (SUBMITTED, ARCHIVED):
                raise WorkflowError(f"{target} does not verify: topic_id needs a later status")
        if target is None:
            return [self.next_step(c, now, archive=False, response=response,
                                   agency_code=agency_code, topic_id=topic_id)]  # fmt: skip
        if target == c.status:
            if not response:
                raise WorkflowError(f"complaint {c.tracking_id} is already {target}")
            due = None if c.status in TERMINAL else now + self.step_seconds
            return [Step(c.status, response, c.agency_code, c.agency_name, due)]
        if c.status in TERMINAL:
            raise WorkflowError(f"complaint {c.tracking_id} is {c.status}: it takes no more steps")
        if target == ARCHIVED:
            return [self.archive(c, response)]
        if c.status == FOLLOWED_UP and target == DISPOSED:
            return [self.dispose(c, now, response=response, agency_code=agency_code)]
        if CHAIN.index(target) < CHAIN.index(c.status):
            raise WorkflowError(f"complaint {c.tracking_id} cannot go from {c.status} to {target}")
        steps: list[Step] = []
        while c.status != target:
            last = CHAIN.index(c.status) + 1 == CHAIN.index(target)
            reclassify = topic_id if c.status == SUBMITTED else None
            step = self.next_step(
                c,
                now,
                archive=False,
                response=response if last else None,
                agency_code=agency_code,
                topic_id=reclassify,
            )
            steps.append(step)
            c = replace(
                c, status=step.status, agency_code=step.agency_code, agency_name=step.agency_name
            )
            if reclassify is not None:  # disposed by its new topic, not the agency asked for
                c = replace(c, topic_id=reclassify, requested_agency=None)
        return steps


class Clock:
    """Moves every complaint whose next step is due, every ``interval``.

    It runs on the event loop, a batch at a time, and lets requests in between two
    batches: 100k due complaints never hold the API up for more than a batch.
    """

    BATCH = 200
    MAX_REPORTED = 1000

    def __init__(self, store: Store, workflow: Workflow) -> None:
        self.store = store
        self.workflow = workflow
        self.interval = max(0.01, min(workflow.step_seconds / 4, 1.0))
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def advance_due(self, now: float | None = None) -> tuple[int, list[dict[str, Any]]]:
        """Take the next step of every complaint due before ``now``: how many moved,
        and the events of the first ``MAX_REPORTED``."""
        moment = time.time() if now is None else now
        count, reported = 0, list[dict[str, Any]]()

        def decide(c: OpenComplaint) -> list[Step]:
            return [self.workflow.next_step(c, moment)]

        while True:
            report = len(reported) < self.MAX_REPORTED
            found = self.store.advance(moment, decide, limit=self.BATCH, report=report)
            moved, events = found or (0, [])
            count += moved
            reported += events[: self.MAX_REPORTED - len(reported)]
            if moved < self.BATCH:
                return count, reported
            await asyncio.sleep(0)

    async def advance(
        self,
        tracking_id: str | None,
        status: str | None = None,
        response: str | None = None,
        agency_code: str | None = None,
        topic_id: int | None = None,
    ) -> tuple[int, list[dict[str, Any]]] | None:
        """An operator's move (``POST /_sandbox/advance``): one complaint as
        :meth:`Workflow.steps_to` says (None when it is unknown), or without a
        ``tracking_id`` every due complaint, as a tick of the clock. ``topic_id``
        has verification reclassify the complaint (not on the HTTP endpoint yet)."""
        now = time.time()
        if tracking_id is None:
            if status or response or agency_code or topic_id is not None:
                raise WorkflowError("status, response and agency_code need a tracking_id")
            return await self.advance_due(now)

        def decide(c: OpenComplaint) -> list[Step]:
            return self.workflow.steps_to(
                c, status, now, response=response, agency_code=agency_code, topic_id=topic_id
            )

        found = self.store.advance(now, decide, tracking_id=tracking_id)
        return None if found is None else (len(found[1]), found[1])

    def start(self) -> None:
        if self.running or self.workflow.step_seconds <= 0:
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sandbox-clock")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            try:
                await self.advance_due()
            except Exception:
                _log.exception("sandbox workflow clock: a tick failed")
            await asyncio.sleep(self.interval)
