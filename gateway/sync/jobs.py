"""What each kind of outbox job does, and how its outcome is to be recorded.

Carrying a job out touches no database: the claim brought the complaint along,
and the outcome (:class:`Finished`) is recorded afterwards, in a batch with
others (:mod:`gateway.sync.recorder`).

A reply job says a conversation's message (a question, a command's answer) through
its channel's :class:`~gateway.ports.ChatReplier`; its ``complaint_id`` names the
chat it goes to, which keeps a chat's replies in order (see
:mod:`gateway.storage.claims`).

A submission after an ambiguous failure (timeout, lost response, a worker that
died mid-request) first asks the registry whether the complaint's
``external_ref`` already exists, so nothing is ever sent twice.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.zones import iso_local, zone_or_wib
from gateway.ports import (
    ChatReplier,
    ChatReply,
    NationalRegistry,
    Notification,
    Receipt,
    Replier,
    Submission,
)
from gateway.storage import outbox
from gateway.storage.claims import ComplaintView
from gateway.storage.models import Complaint
from gateway.sync.backoff import RetryPolicy, decide

#: job kinds that call the national registry (rate-limited, behind the circuit breaker)
REGISTRY_KINDS = ("submit", "comment")
#: job kinds that speak to a citizen (or a system) on a channel
NOTIFY_KINDS = ("notify", "reply")


class Ambiguity:
    """Whether the job's request may have reached the registry."""

    def __init__(self, ambiguous: bool) -> None:
        self.value = ambiguous


@dataclass(frozen=True)
class Finished:
    """An attempt's end, to be recorded by its lease owner, with the receipt of a
    submission (None when the complaint already had its tracking ID)."""

    finish: outbox.Finish
    receipt: Receipt | None = None

    @property
    def job(self) -> outbox.ClaimedJob:
        return self.finish.job


@dataclass
class JobRunner:
    repliers: Mapping[str, Replier]
    policy: RetryPolicy
    rng: random.Random

    async def run(
        self, job: outbox.ClaimedJob, registry: NationalRegistry | None, ambiguity: Ambiguity
    ) -> Receipt | None:
        """Carry the job out; raises GatewayError on failure. Only notify jobs go
        without a registry."""
        if job.kind == "reply":
            await self._reply(job)
            return None
        complaint = job.complaint
        if complaint is None:
            raise GatewayError(ErrorKind.PERMANENT, f"complaint {job.complaint_id} does not exist")
        if job.kind == "notify":
            await self._notify(job, complaint)
            return None
        if job.kind not in REGISTRY_KINDS:
            raise GatewayError(ErrorKind.PERMANENT, f"unknown job kind {job.kind!r}")
        if registry is None:
            raise GatewayError(ErrorKind.RETRYABLE, f"no registry for a {job.kind} job")
        if job.kind == "submit":
            return await self._submit(complaint, registry, ambiguity)
        await self._comment(job, complaint, registry)
        return None

    async def _submit(
        self, complaint: ComplaintView, registry: NationalRegistry, ambiguity: Ambiguity
    ) -> Receipt | None:
        if complaint.tracking_id is not None:
            return None  # the puller already learnt the tracking ID
        if ambiguity.value:
            receipt = await registry.find_by_external_ref(complaint.external_ref)
            ambiguity.value = False  # we now know whether it is there
            if receipt is not None:
                return receipt
        return await registry.submit(submission_of(complaint))

    async def _notify(self, job: outbox.ClaimedJob, complaint: ComplaintView) -> None:
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

    async def _reply(self, job: outbox.ClaimedJob) -> None:
        payload = job.payload
        channel = str(payload.get("channel"))
        replier = self.repliers.get(channel)
        if not isinstance(replier, ChatReplier):
            raise GatewayError(ErrorKind.PERMANENT, f"channel {channel} cannot say a reply")
        buttons = payload.get("buttons")
        await replier.say(
            ChatReply(
                tenant=job.tenant,
                channel=channel,
                to=str(payload.get("to")),
                text=str(payload.get("text", "")),
                buttons=[[(str(a), str(b)) for a, b in row] for row in buttons]
                if buttons
                else None,
            )
        )

    async def _comment(
        self, job: outbox.ClaimedJob, complaint: ComplaintView, registry: NationalRegistry
    ) -> None:
        if complaint.tracking_id is None:
            raise GatewayError(ErrorKind.RETRYABLE, "complaint has no tracking ID yet")
        await registry.comment(
            complaint.tracking_id, str(job.payload.get("text", "")), job.payload.get("author")
        )

    # --- outcomes -------------------------------------------------------------

    @staticmethod
    def done(job: outbox.ClaimedJob, receipt: Receipt | None, latency_ms: float | None) -> Finished:
        return Finished(outbox.Finish(job, outbox.DONE, latency_ms=latency_ms), receipt)

    @staticmethod
    def released(job: outbox.ClaimedJob) -> Finished:
        """Back to the queue unattempted (not sent: stopping, circuit open, lease too old)."""
        return Finished(outbox.Finish(job, outbox.RELEASED))

    def failed(
        self, job: outbox.ClaimedJob, error: GatewayError, ambiguous: bool, latency_ms: float
    ) -> Finished:
        """Retry later (with back-off, or the registry's Retry-After) or give up."""
        decision = decide(error, job.attempts, self.policy, self.rng)
        if decision.retry:
            outcome = "throttled" if error.kind == ErrorKind.THROTTLED else "retry"
            return Finished(
                outbox.Finish(
                    job,
                    outbox.PENDING,
                    outcome,
                    error.message,
                    error.kind.value,
                    delay=decision.delay,
                    ambiguous=ambiguous or error.ambiguous,
                    latency_ms=latency_ms,
                )
            )
        finish = outbox.Finish(
            job, outbox.FAILED, "failed", error.message, error.kind.value, latency_ms=latency_ms
        )
        return Finished(finish)


def submission_of(complaint: Complaint | ComplaintView) -> Submission:
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
        incident_at=(
            iso_local(complaint.incident_at, zone_or_wib(complaint.region_code))
            if complaint.incident_at
            else None
        ),
    )
