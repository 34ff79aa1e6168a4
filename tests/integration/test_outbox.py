"""Claims per kind, batched recording with fencing, and worker heartbeats, on SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gateway.domain.errors import ErrorKind, GatewayError
from gateway.domain.sla import NoHolidays, SlaPolicy
from gateway.ports import Receipt
from gateway.storage import heartbeat, outbox
from gateway.storage.complaints import mark_submitted
from gateway.storage.engine import transaction
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, JobAttempt, OutboxJob, StatusEvent, WorkerHeartbeat
from gateway.sync.backoff import RetryPolicy
from gateway.sync.jobs import Finished, JobRunner
from gateway.sync.recorder import Recorder
from tests.integration.test_storage import draft


def file(factory: sessionmaker[Session], count: int, prefix: str = "C") -> list[str]:
    return [
        record_complaint(factory, draft(f"{prefix}-{i}"), "{}", "x").complaint_id
        for i in range(count)
    ]


def recorder(factory: sessionmaker[Session]) -> Recorder:
    return Recorder(factory, NoHolidays(), SlaPolicy(), run_db=None)  # type: ignore[arg-type]


def receipt(tracking_id: str) -> Receipt:
    return Receipt(tracking_id, "belum_terverifikasi", datetime.now(UTC))


def test_a_claim_brings_the_complaint_along(factory) -> None:
    [complaint_id] = file(factory, 1)
    [job] = outbox.claim(factory, "w", 10, 60, tenants=["lampung"], kinds=["submit"])
    assert job.complaint is not None and job.complaint.id == complaint_id
    assert job.complaint.external_ref == f"LGW-{complaint_id}"
    assert job.complaint.tracking_id is None and job.complaint.reporter_phone == "+6281234567890"


def test_notify_jobs_are_claimed_apart_from_an_older_submit_backlog(factory) -> None:
    ids = file(factory, 30)
    with transaction(factory) as session:  # the first one was submitted: its reply waits
        complaint = session.get(Complaint, ids[0])
        assert complaint is not None
        mark_submitted(session, complaint, "70000001", datetime.now(UTC), NoHolidays(), SlaPolicy())
    [notify] = outbox.claim(factory, "w", 5, 60, tenants=["lampung"], kinds=["notify"])
    assert notify.kind == "notify" and notify.payload["tracking_id"] == "70000001"
    submits = outbox.claim(factory, "w", 5, 60, tenants=["lampung"], kinds=["submit", "comment"])
    assert [j.kind for j in submits] == ["submit"] * 5
    assert [j.complaint_id for j in submits] == ids[:5]  # oldest first


def test_finishing_in_a_batch_fences_each_job_on_its_own(factory) -> None:
    ids = file(factory, 3)
    jobs = outbox.claim(factory, "w1", 10, 60)
    with transaction(factory) as session:  # the second job's lease ran out; w2 took it
        session.execute(
            update(OutboxJob)
            .where(OutboxJob.id == jobs[1].id)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    [taken] = outbox.claim(factory, "w2", 10, 60)
    assert taken.id == jobs[1].id and taken.ambiguous
    items = [JobRunner.done(job, receipt(f"7000000{n}"), 50.0) for n, job in enumerate(jobs)]
    assert recorder(factory).write(items) == [True, False, True]
    with factory() as session:
        tracked = dict(session.execute(select(Complaint.id, Complaint.tracking_id)).all())
        assert tracked == {ids[0]: "70000000", ids[1]: None, ids[2]: "70000002"}
        outcomes = sorted(session.scalars(select(JobAttempt.outcome)))
        assert outcomes == ["lease_lost", "ok", "ok"]
        notify = session.scalars(select(OutboxJob).where(OutboxJob.kind == "notify")).all()
        assert sorted(json_tracking(j) for j in notify) == ["70000000", "70000002"]
        assert session.get(OutboxJob, taken.id).lease_owner == "w2"  # untouched


def json_tracking(job: OutboxJob) -> str:
    return str(json.loads(job.payload)["tracking_id"])


def test_a_released_job_goes_back_unattempted(factory) -> None:
    file(factory, 1)
    [job] = outbox.claim(factory, "w", 10, 60)
    assert recorder(factory).write([JobRunner.released(job)]) == [True]
    with factory() as session:
        row = session.get(OutboxJob, job.id)
        assert row is not None and row.state == "pending" and row.attempts == 0
        assert row.lease_owner is None
        assert session.scalars(select(JobAttempt)).all() == []
    [again] = outbox.claim(factory, "w", 10, 60)
    assert again.id == job.id and again.attempts == 1 and not again.ambiguous


def test_a_bad_job_does_not_hold_its_batch_back(factory) -> None:
    file(factory, 3)
    jobs = outbox.claim(factory, "w", 10, 60)
    # two complaints cannot have one tracking ID: the batch fails, one by one succeeds
    items = [
        JobRunner.done(jobs[0], receipt("70000001"), 50.0),
        JobRunner.done(jobs[1], receipt("70000001"), 50.0),
        JobRunner.done(jobs[2], receipt("70000003"), 50.0),
    ]

    async def write_all() -> list[str]:
        async def run_db(work):  # type: ignore[no-untyped-def]
            return await asyncio.to_thread(work)

        rec = Recorder(factory, NoHolidays(), SlaPolicy(), run_db, linger=0.01)
        return list(await asyncio.gather(*(rec.record(item) for item in items)))

    assert asyncio.run(write_all()) == ["ok", "lease_lost", "ok"]
    with factory() as session:
        assert sorted(filter(None, session.scalars(select(Complaint.tracking_id)))) == [
            "70000001",
            "70000003",
        ]
        histories = session.scalars(select(StatusEvent).where(StatusEvent.source == "gateway"))
        assert len([h for h in histories if h.status == "submitted"]) == 2


def test_failed_submissions_fail_their_complaint_in_the_batch(factory) -> None:
    [complaint_id] = file(factory, 1)
    [job] = outbox.claim(factory, "w", 10, 60)
    runner = JobRunner({}, RetryPolicy(), random.Random(1))
    refused = GatewayError(ErrorKind.PERMANENT, "topic_id: unknown topic")
    finished: Finished = runner.failed(job, refused, False, 12.0)
    assert recorder(factory).write([finished]) == [True]
    with factory() as session:
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None and complaint.status == "failed"
        assert complaint.failure_reason == "topic_id: unknown topic"


def test_heartbeats_count_the_live_workers_and_forget_the_dead(factory) -> None:
    assert heartbeat.beat(factory, "b", ttl=5) == ["b"]
    assert heartbeat.beat(factory, "a", ttl=5) == ["a", "b"]
    with transaction(factory) as session:  # b stops beating
        session.execute(
            update(WorkerHeartbeat)
            .where(WorkerHeartbeat.owner == "b")
            .values(beat_at=datetime.now(UTC) - timedelta(seconds=6))
        )
    assert heartbeat.beat(factory, "a", ttl=5) == ["a"]
    assert heartbeat.beat(factory, "c", ttl=5) == ["a", "c"]
    heartbeat.leave(factory, "a")
    assert heartbeat.beat(factory, "c", ttl=5) == ["c"]
