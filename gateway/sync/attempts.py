"""One attempt at one job, as the dispatcher runs it.

A registry job (submit, comment) passes its lane's gate, so that at most the
lane's concurrency share of requests is in flight; it holds its place there only
for the request (token, send, answer), and leaves before its outcome is
recorded. A job that cannot be sent now (the process is stopping, the circuit
opened meanwhile, the lease would run out before the request could end) is
released: back to the queue, unattempted. How late is too late is counted from
the lease's start as the claim recorded it (``ClaimedJob.clock``), not from when
the claim came back, so a worker paused after its claim cannot send after
another took the job over. A notify or reply job sends a message to the citizen
on its channel (checked against the same deadline before it is sent). Either
way the outcome is recorded by the :class:`~gateway.sync.recorder.Recorder`,
batched with others, then counted, reported to metrics and logged (one line per
attempt).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.ports import Receipt, RegistryFactory
from gateway.storage import outbox
from gateway.sync.jobs import Ambiguity, Finished, JobRunner
from gateway.sync.lanes import Lane
from gateway.sync.limits import CircuitState, LeaseRunningOut, ThrottledRegistry
from gateway.sync.recorder import Recorder

log = structlog.get_logger("gateway.dispatcher")

#: ``on_attempt(tenant, kind, outcome, seconds)``, for metrics
OnAttempt = Callable[[str, str, str, float], None]


@dataclass
class DispatchStats:
    ok: int = 0
    retried: int = 0
    failed: int = 0
    lease_lost: int = 0
    released: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.ok + self.retried + self.failed + self.lease_lost


@dataclass
class Attempts:
    runner: JobRunner
    recorder: Recorder
    registries: RegistryFactory
    #: seconds after its lease's start (``ClaimedJob.clock``) by which a request must
    #: start to end under the lease; a job found later is released, never sent
    start_within: float
    #: whether the dispatcher is stopping (jobs not yet sent go back to the queue)
    stopping: Callable[[], bool]
    #: a lane's slot came free
    freed: Callable[[], None]
    on_attempt: OnAttempt | None = None

    async def registry_job(
        self,
        lane: Lane,
        job: outbox.ClaimedJob,
        stats: DispatchStats,
        probe: bool,
    ) -> None:
        started = time.perf_counter()
        ambiguity = Ambiguity(job.ambiguous)
        error: GatewayError | None = None
        receipt: Receipt | None = None
        finished: Finished | None = None
        request_s = 0.0
        try:
            await lane.gate.acquire()
            try:
                if self.stopping() or not (probe or lane.breaker.state == CircuitState.CLOSED):
                    finished = self.runner.released(job)
                else:
                    sent = time.perf_counter()
                    deadline = job.clock + self.start_within
                    try:
                        inner = self.registries.for_tenant(job.tenant)
                        registry = ThrottledRegistry(inner, lane.bucket, deadline)
                        receipt = await self.runner.run(job, registry, ambiguity)
                    except LeaseRunningOut:
                        finished = self.runner.released(job)
                    except GatewayError as exc:
                        error = exc
                    except Exception as exc:  # a bug must not kill the loop
                        log.exception("job attempt crashed", job_id=job.id, kind=job.kind)
                        error = GatewayError(ErrorKind.RETRYABLE, f"internal error: {exc!r}")
                        ambiguity.value = ambiguity.value or job.kind == "submit"
                    request_s = time.perf_counter() - sent
                    if finished is None:
                        lane.breaker.record(error)
                if probe and finished is not None:
                    lane.breaker.probing = False  # not sent: the next claim probes
            finally:
                lane.gate.release()
        finally:
            lane.held -= 1
            self.freed()
        await self._finish(job, finished, error, receipt, ambiguity, started, request_s, stats)

    async def notify_job(self, lane: Lane, job: outbox.ClaimedJob, stats: DispatchStats) -> None:
        started = time.perf_counter()
        error: GatewayError | None = None
        finished: Finished | None = None
        try:
            if self.stopping() or time.monotonic() > job.clock + self.start_within:
                finished = self.runner.released(job)  # too late: another may have it
            else:
                await self.runner.run(job, None, Ambiguity(False))
        except GatewayError as exc:
            error = exc
        except Exception as exc:  # a replier's bug must not kill the loop
            log.exception("job attempt crashed", job_id=job.id, kind=job.kind)
            error = GatewayError(ErrorKind.RETRYABLE, f"internal error: {exc!r}")
        finally:
            lane.notifying -= 1
            self.freed()
        seconds = time.perf_counter() - started
        await self._finish(job, finished, error, None, Ambiguity(False), started, seconds, stats)

    async def _finish(
        self,
        job: outbox.ClaimedJob,
        finished: Finished | None,
        error: GatewayError | None,
        receipt: Receipt | None,
        ambiguity: Ambiguity,
        started: float,
        request_s: float,
        stats: DispatchStats,
    ) -> None:
        """Record the attempt (batched with others), then count and log it."""
        ms = (time.perf_counter() - started) * 1000
        if finished is None:
            if error is not None:
                finished = self.runner.failed(job, error, ambiguity.value, ms)
            else:
                finished = self.runner.done(job, receipt, ms)
        try:
            outcome = await self.recorder.record(finished)
        except Exception:  # not recorded (logged there): the lease runs out, a retry looks up
            outcome = "lease_lost"
        seconds = time.perf_counter() - started
        name = _STAT[outcome]
        setattr(stats, name, getattr(stats, name) + 1)
        if outcome == "released":
            log.debug("job released", job_id=job.id, kind=job.kind, tenant=job.tenant)
            return
        stats.by_kind[job.kind] = stats.by_kind.get(job.kind, 0) + 1
        if self.on_attempt is not None:
            self.on_attempt(job.tenant, job.kind, outcome, seconds)
        log.info(
            "job attempt",
            job_id=job.id,
            kind=job.kind,
            tenant=job.tenant,
            attempt=job.attempts,
            outcome=outcome,
            error=error.message if error else None,
            latency_ms=round(seconds * 1000, 1),
            request_ms=round(request_s * 1000, 1),
        )


_STAT = {
    "ok": "ok",
    "retry": "retried",
    "throttled": "retried",
    "failed": "failed",
    "lease_lost": "lease_lost",
    "released": "released",
}
