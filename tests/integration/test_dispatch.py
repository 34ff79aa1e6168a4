"""The dispatcher against the sandbox registry over loopback, one failure at a time.

Faults are switched at run time through the sandbox's admin endpoint, so each
scenario is deterministic.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from gateway.bootstrap import Container, build_container
from gateway.domain.complaint import ComplaintDraft
from gateway.settings import Settings
from gateway.storage import outbox
from gateway.storage.engine import transaction
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, JobAttempt, OutboxJob
from gateway.sync.dispatcher import DispatchStats
from tests.support import ROOT, SANDBOX_ADMIN, TENANT_ENV, sandbox_process, scaled

NO_FAULTS = {
    "latency_ms": 0,
    "error_rate": 0,
    "throttle_rate": 0,
    "retry_after_s": 1,
    "timeout_rate": 0,
    "timeout_s": 30,
    "reset_rate": 0,
    "lost_response_rate": 0,
}


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    with sandbox_process(tmp_path, "--step-seconds", "0", "--no-unique-external-ref") as url:
        yield url


@pytest.fixture
def container(engine, database_url: str, sandbox: str) -> Iterator[Container]:
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        national_url=sandbox,
        national_timeout=2,
        backoff_base=1,
        max_attempts=3,
    )
    built = build_container(settings, environ=TENANT_ENV)
    with asyncio.Runner() as runner:
        built.test_runner = runner  # type: ignore[attr-defined]
        yield built
        runner.run(built.aclose())


def faults(sandbox: str, **changes: float) -> None:
    answer = httpx.put(
        f"{sandbox}/_sandbox/faults",
        json={**NO_FAULTS, **changes},
        timeout=scaled(5),
        headers=SANDBOX_ADMIN,
    )
    assert answer.status_code == 200, answer.text


def file_complaint(container: Container, ref: str = "CC-1", **overrides: object) -> str:
    draft = ComplaintDraft.model_validate(
        {
            "tenant": "lampung",
            "channel": "api",
            "source_ref": ref,
            "title": "Sampah menumpuk",
            "content": "Sampah menumpuk di TPS Jl. Ratu Dibalau sudah seminggu tidak diangkut.",
            "region_code": "18.71",
            **overrides,
        }
    )
    return record_complaint(container.factory, draft, "{}", "application/json").complaint_id


def run_once(container: Container) -> DispatchStats:
    """One dispatcher batch, on the container's own event loop (one per test)."""
    runner: asyncio.Runner = container.test_runner  # type: ignore[attr-defined]
    return runner.run(container.dispatcher().run_once())


def make_due(container: Container) -> None:
    with transaction(container.factory) as session:
        session.execute(update(OutboxJob).values(next_attempt_at=datetime.now(UTC)))


def stored_in_sandbox(sandbox: str, external_ref: str) -> list[dict]:
    answer = httpx.get(
        f"{sandbox}/_sandbox/complaints",
        params={"external_ref": external_ref},
        headers=SANDBOX_ADMIN,
    )
    return answer.json()["items"]


def complaint(container: Container, complaint_id: str) -> Complaint:
    with container.factory() as session:
        found = session.get(Complaint, complaint_id)
        assert found is not None
        return found


def test_a_lost_response_is_looked_up_not_sent_again(container: Container, sandbox: str) -> None:
    complaint_id = file_complaint(container)
    faults(sandbox, lost_response_rate=1.0)
    stats = run_once(container)
    assert stats.retried == 1
    ref = complaint(container, complaint_id).external_ref
    assert len(stored_in_sandbox(sandbox, ref)) == 1  # committed, answer lost
    assert complaint(container, complaint_id).tracking_id is None

    faults(sandbox)
    make_due(container)
    stats = run_once(container)
    assert stats.ok == 1
    stored = stored_in_sandbox(sandbox, ref)
    assert len(stored) == 1  # looked up, not sent twice
    found = complaint(container, complaint_id)
    assert found.tracking_id == stored[0]["tracking_id"] and found.status == "submitted"


def test_a_refused_submission_fails_with_the_reason_and_can_be_retried(
    container: Container, sandbox: str
) -> None:
    complaint_id = file_complaint(container, topic_id=999_999)  # not in the national catalogue
    stats = run_once(container)
    assert stats.failed == 1
    failed = complaint(container, complaint_id)
    assert failed.status == "failed" and "topic_id" in (failed.failure_reason or "")
    [job] = outbox.list_jobs(container.factory, state="failed")
    assert job.last_error_kind == "permanent"

    with transaction(container.factory) as session:  # an operator fixes the mapping
        session.execute(update(Complaint).where(Complaint.id == complaint_id).values(topic_id=None))
    assert outbox.retry_failed(container.factory, [job.id]) == [job.id]
    stats = run_once(container)
    assert stats.ok == 1
    assert complaint(container, complaint_id).tracking_id is not None


def test_throttling_waits_for_retry_after_and_retries_run_out(
    container: Container, sandbox: str
) -> None:
    complaint_id = file_complaint(container)
    faults(sandbox, throttle_rate=1.0, retry_after_s=30)
    assert run_once(container).retried == 1
    with container.factory() as session:
        job = session.scalars(select(OutboxJob).where(OutboxJob.kind == "submit")).one()
        wait = (job.next_attempt_at - datetime.now(UTC)).total_seconds()
        assert 25 <= wait <= 40, wait
        assert job.last_error_kind == "throttled" and not job.ambiguous
    assert run_once(container).ok == 0  # not due yet

    faults(sandbox, error_rate=1.0)
    for _ in range(2):  # attempts 2 and 3 of max_attempts=3
        make_due(container)
        run_once(container)
    failed = complaint(container, complaint_id)
    assert failed.status == "failed"
    with container.factory() as session:
        outcomes = [a.outcome for a in session.scalars(select(JobAttempt).order_by(JobAttempt.id))]
    assert outcomes == ["throttled", "retry", "failed"]
