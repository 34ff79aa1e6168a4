"""The dispatcher: claim outbox jobs, carry them out, record the outcome.

A submission after an ambiguous failure (timeout, lost response, a worker that
died mid-request) first asks the registry whether the complaint's
``external_ref`` already exists, so nothing is ever sent twice.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import structlog
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.ports import Notification, Receipt, RegistryFactory, Replier, Submission
from gateway.storage import outbox
from gateway.storage.complaints import mark_failed, mark_submitted
from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import Complaint
from gateway.sync.backoff import RetryPolicy, decide

log = structlog.get_logger("gateway.dispatcher")


@dataclass
class DispatchStats:
    ok: int = 0
    retried: int = 0
    failed: int = 0
    lease_lost: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class _Ambiguity:
    """Tracks whether the job's request may have reached the registry."""

    def __init__(self, ambiguous: bool) -> None:
        self.value = ambiguous


class Dispatcher:
    def __init__(
        self,
        factory: sessionmaker[Session],
        registries: RegistryFactory,
        repliers: Mapping[str, Replier],
        *,
        owner: str,
        calendar: HolidayCalendar,
        sla: SlaPolicy | None = None,
        policy: RetryPolicy | None = None,
        batch: int = 50,
        concurrency: int = 10,
        lease_seconds: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self.factory = factory
        self.registries = registries
        self.repliers = repliers
        self.owner = owner
        self.calendar = calendar
        self.sla = sla or SlaPolicy()
        self.policy = policy or RetryPolicy()
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.rng = rng or random.Random()
        self._semaphore = asyncio.Semaphore(concurrency)
        self._handlers: dict[str, Callable[[outbox.ClaimedJob, _Ambiguity], Awaitable[None]]] = {
            "submit": self._submit,
            "notify": self._notify,
            "comment": self._comment,
        }

    async def run_once(self) -> DispatchStats:
        """Claim one batch of due jobs and carry them out concurrently."""
        jobs = await asyncio.to_thread(
            outbox.claim, self.factory, self.owner, self.batch, self.lease_seconds
        )
        stats = DispatchStats()
        await asyncio.gather(*(self._run(job, stats) for job in jobs))
        return stats

    async def drain(self, max_rounds: int = 1000) -> DispatchStats:
        """Run batches until nothing is due (used by tests and `gateway jobs drain`)."""
        total = DispatchStats()
        for _ in range(max_rounds):
            stats = await self.run_once()
            if not (stats.ok + stats.retried + stats.failed + stats.lease_lost):
                break
            total.ok += stats.ok
            total.retried += stats.retried
            total.failed += stats.failed
            total.lease_lost += stats.lease_lost
        return total

    async def _run(self, job: outbox.ClaimedJob, stats: DispatchStats) -> None:
        async with self._semaphore:
            started = time.perf_counter()
            ambiguity = _Ambiguity(job.ambiguous)
            bound = log.bind(job_id=job.id, kind=job.kind, tenant=job.tenant, attempt=job.attempts)
            try:
                handler = self._handlers.get(job.kind)
                if handler is None:
                    raise GatewayError(ErrorKind.PERMANENT, f"unknown job kind {job.kind!r}")
                await handler(job, ambiguity)
            except GatewayError as error:
                latency = (time.perf_counter() - started) * 1000
                await asyncio.to_thread(self._record_failure, job, error, ambiguity, latency, stats)
                bound.info(
                    "job attempt",
                    outcome=error.kind.value,
                    error=error.message,
                    latency_ms=round(latency, 1),
                )
                return
            except Exception as exc:  # a bug must not kill the worker loop
                latency = (time.perf_counter() - started) * 1000
                crash = GatewayError(ErrorKind.RETRYABLE, f"internal error: {type(exc).__name__}")
                # the crash may have come after the request left: treat as ambiguous
                ambiguity.value = ambiguity.value or job.kind == "submit"
                await asyncio.to_thread(self._record_failure, job, crash, ambiguity, latency, stats)
                bound.exception("job attempt crashed")
                return
            stats.ok += 1
            stats.by_kind[job.kind] = stats.by_kind.get(job.kind, 0) + 1
            bound.info(
                "job attempt",
                outcome="ok",
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
            )

    def _record_failure(
        self,
        job: outbox.ClaimedJob,
        error: GatewayError,
        ambiguity: _Ambiguity,
        latency_ms: float,
        stats: DispatchStats,
    ) -> None:
        decision = decide(error, job.attempts, self.policy, self.rng)
        ambiguous = ambiguity.value or error.ambiguous
        with transaction(self.factory) as session:
            if decision.retry:
                ok = outbox.finish_retry(
                    session,
                    job,
                    delay=decision.delay,
                    error=error.message,
                    error_kind=error.kind.value,
                    ambiguous=ambiguous,
                    latency_ms=latency_ms,
                )
                stats.retried += ok
            else:
                ok = outbox.finish_failed(
                    session,
                    job,
                    error=error.message,
                    error_kind=error.kind.value,
                    latency_ms=latency_ms,
                )
                if ok and job.kind == "submit":
                    mark_failed(session, job.complaint_id, error.message)
                stats.failed += ok
            stats.lease_lost += not ok

    # --- submit ---------------------------------------------------------------

    async def _submit(self, job: outbox.ClaimedJob, ambiguity: _Ambiguity) -> None:
        complaint = await asyncio.to_thread(self._load, job.complaint_id)
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, f"complaint {job.complaint_id} does not exist")
        receipt: Receipt | None = None
        if complaint.tracking_id is None:
            registry = self.registries.for_tenant(job.tenant)
            if ambiguity.value:
                receipt = await registry.find_by_external_ref(complaint.external_ref)
                ambiguity.value = False  # we now know whether it is there
            if receipt is None:
                receipt = await registry.submit(submission_of(complaint))
        await asyncio.to_thread(self._record_submitted, job, receipt)

    def _load(self, complaint_id: str) -> Complaint | None:
        with self.factory() as session:
            return session.get(Complaint, complaint_id)

    def _record_submitted(self, job: outbox.ClaimedJob, receipt: Receipt | None) -> None:
        with transaction(self.factory) as session:
            if not outbox.finish_done(session, job, None):
                return
            if receipt is None:
                return  # the puller already learnt the tracking ID
            complaint = session.get(Complaint, job.complaint_id, with_for_update=True)
            assert complaint is not None
            at = receipt.created_at or utcnow()
            mark_submitted(session, complaint, receipt.tracking_id, at, self.calendar, self.sla)

    # --- notify and comment ---------------------------------------------------

    async def _notify(self, job: outbox.ClaimedJob, _ambiguity: _Ambiguity) -> None:
        complaint = await asyncio.to_thread(self._load, job.complaint_id)
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, f"complaint {job.complaint_id} does not exist")
        replier = self.repliers.get(complaint.channel) or self.repliers.get("*")
        if replier is None:
            raise GatewayError(ErrorKind.PERMANENT, f"no replier for channel {complaint.channel}")
        payload = job.payload
        await replier.send(
            Notification(
                tenant=complaint.tenant,
                channel=complaint.channel,
                complaint_id=complaint.id,
                source_ref=complaint.source_ref,
                tracking_id=payload.get("tracking_id"),
                status=str(payload.get("status")),
                response=payload.get("response"),
                language=complaint.language,
                reply_to=dict(payload.get("reply_to") or {}),
            )
        )
        await asyncio.to_thread(self._finish_plain, job)

    async def _comment(self, job: outbox.ClaimedJob, _ambiguity: _Ambiguity) -> None:
        complaint = await asyncio.to_thread(self._load, job.complaint_id)
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, f"complaint {job.complaint_id} does not exist")
        if complaint.tracking_id is None:
            raise GatewayError(ErrorKind.RETRYABLE, "complaint has no tracking ID yet")
        registry = self.registries.for_tenant(job.tenant)
        await registry.comment(
            complaint.tracking_id, str(job.payload.get("text", "")), job.payload.get("author")
        )
        await asyncio.to_thread(self._finish_plain, job)

    def _finish_plain(self, job: outbox.ClaimedJob) -> None:
        with transaction(self.factory) as session:
            outbox.finish_done(session, job, None)


def submission_of(complaint: Complaint) -> Submission:
    return Submission(
        external_ref=complaint.external_ref,
        title=complaint.title,
        content=complaint.content,
        classification=complaint.classification,
        topic_id=complaint.topic_id,
        agency_code=complaint.agency_code,
        region_code=complaint.region_code,
        location=complaint.location_text,
        latitude=complaint.latitude,
        longitude=complaint.longitude,
        incident_date=complaint.incident_date.isoformat() if complaint.incident_date else None,
        anonymous=complaint.anonymous,
        confidential=complaint.confidential,
        channel=complaint.channel,
        reporter_name=complaint.reporter_name,
        reporter_phone=complaint.reporter_phone,
        reporter_email=complaint.reporter_email,
        attachments=json.loads(complaint.attachments),
    )
