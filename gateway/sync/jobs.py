"""What each kind of outbox job does, and how its outcome is recorded.

A submission after an ambiguous failure (timeout, lost response, a worker that
died mid-request) first asks the registry whether the complaint's
``external_ref`` already exists, so nothing is ever sent twice.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.sla import HolidayCalendar, SlaPolicy
from gateway.ports import NationalRegistry, Notification, Receipt, Replier, Submission
from gateway.storage import outbox
from gateway.storage.complaints import mark_failed, mark_submitted
from gateway.storage.engine import transaction
from gateway.storage.intake import utcnow
from gateway.storage.models import Complaint
from gateway.sync.backoff import RetryPolicy, decide

#: job kinds that call the national registry (rate-limited, behind the circuit breaker)
REGISTRY_KINDS = ("submit", "comment")


class Ambiguity:
    """Whether the job's request may have reached the registry."""

    def __init__(self, ambiguous: bool) -> None:
        self.value = ambiguous


@dataclass
class JobRunner:
    factory: sessionmaker[Session]
    repliers: Mapping[str, Replier]
    calendar: HolidayCalendar
    sla: SlaPolicy
    policy: RetryPolicy
    rng: random.Random

    async def run(
        self, job: outbox.ClaimedJob, registry: NationalRegistry, ambiguity: Ambiguity
    ) -> None:
        """Carry the job out and record success; raises GatewayError on failure."""
        if job.kind == "submit":
            await self._submit(job, registry, ambiguity)
        elif job.kind == "notify":
            await self._notify(job)
        elif job.kind == "comment":
            await self._comment(job, registry)
        else:
            raise GatewayError(ErrorKind.PERMANENT, f"unknown job kind {job.kind!r}")

    # --- submit ---------------------------------------------------------------

    async def _submit(
        self, job: outbox.ClaimedJob, registry: NationalRegistry, ambiguity: Ambiguity
    ) -> None:
        complaint = await asyncio.to_thread(self._load, job.complaint_id)
        receipt: Receipt | None = None
        if complaint.tracking_id is None:
            if ambiguity.value:
                receipt = await registry.find_by_external_ref(complaint.external_ref)
                ambiguity.value = False  # we now know whether it is there
            if receipt is None:
                receipt = await registry.submit(submission_of(complaint))
        await asyncio.to_thread(self._record_submitted, job, receipt)

    def _load(self, complaint_id: str) -> Complaint:
        with self.factory() as session:
            complaint = session.get(Complaint, complaint_id)
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, f"complaint {complaint_id} does not exist")
        return complaint

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

    async def _notify(self, job: outbox.ClaimedJob) -> None:
        complaint = await asyncio.to_thread(self._load, job.complaint_id)
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

    async def _comment(self, job: outbox.ClaimedJob, registry: NationalRegistry) -> None:
        complaint = await asyncio.to_thread(self._load, job.complaint_id)
        if complaint.tracking_id is None:
            raise GatewayError(ErrorKind.RETRYABLE, "complaint has no tracking ID yet")
        await registry.comment(
            complaint.tracking_id, str(job.payload.get("text", "")), job.payload.get("author")
        )
        await asyncio.to_thread(self._finish_plain, job)

    def _finish_plain(self, job: outbox.ClaimedJob) -> None:
        with transaction(self.factory) as session:
            outbox.finish_done(session, job, None)

    # --- failures -------------------------------------------------------------

    def record_failure(
        self, job: outbox.ClaimedJob, error: GatewayError, ambiguous: bool, latency_ms: float
    ) -> str:
        """Reschedule or fail the job; returns the attempt's outcome."""
        decision = decide(error, job.attempts, self.policy, self.rng)
        with transaction(self.factory) as session:
            if decision.retry:
                ok = outbox.finish_retry(
                    session,
                    job,
                    delay=decision.delay,
                    error=error.message,
                    error_kind=error.kind.value,
                    ambiguous=ambiguous or error.ambiguous,
                    latency_ms=latency_ms,
                )
                outcome = "throttled" if error.kind == ErrorKind.THROTTLED else "retry"
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
                outcome = "failed"
        return outcome if ok else "lease_lost"


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
