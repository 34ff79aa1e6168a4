"""Queue metrics and the operator status, read from a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway import metrics
from gateway.domain.complaint import ComplaintDraft
from gateway.ops_status import puller_owner, render_status, tenant_statuses
from gateway.storage import circuits, outbox
from gateway.storage.engine import transaction
from gateway.storage.intake import new_job, record_complaint, utcnow
from gateway.storage.models import Complaint, FeedCursor, OutboxJob, SingletonLease
from gateway.sync import singleton
from tests.support import scaled, serve_in_thread

#: slack for the time between backdating rows and reading their age
AGE_TOLERANCE = 30.0


def draft(tenant: str, source_ref: str) -> ComplaintDraft:
    return ComplaintDraft.model_validate(
        {
            "tenant": tenant,
            "channel": "api",
            "source_ref": source_ref,
            "title": "Jalan rusak",
            "content": "Jalan berlubang di depan pasar sudah dua minggu.",
            "region_code": "18.71",
        }
    )


def backdate(factory: sessionmaker[Session], complaint_id: str, seconds: float) -> None:
    """Make a complaint and its jobs look ``seconds`` old."""
    then = utcnow() - timedelta(seconds=seconds)
    with transaction(factory) as session:
        session.execute(
            update(Complaint).where(col(Complaint.id) == complaint_id).values(created_at=then)
        )
        session.execute(
            update(OutboxJob)
            .where(col(OutboxJob.complaint_id) == complaint_id)
            .values(created_at=then)
        )


@pytest.fixture
def queue(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The queue the tests read.

    lampung: 3 unsent complaints (one 600 s old), submit jobs 2 pending + 1 running,
    a notify job pending for 120 s, a done comment job that counts nowhere;
    kalsel: 2 unsent complaints, submit jobs 1 pending + 1 failed (an hour old).
    """
    lampung = [
        record_complaint(factory, draft("lampung", f"L-{i}"), "{}", "application/json")
        for i in (1, 2, 3)
    ]
    backdate(factory, lampung[0].complaint_id, 600)
    with transaction(factory) as session:
        notify = new_job("notify", "lampung", lampung[1].complaint_id, {}, utcnow())
        notify.created_at = utcnow() - timedelta(seconds=120)
        session.add(notify)
        done = new_job("comment", "lampung", lampung[2].complaint_id, {}, utcnow())
        done.state = "done"
        done.created_at = utcnow() - timedelta(days=3)
        session.add(done)
    running = outbox.claim(factory, "w1", 1, 60, tenants=["lampung"], kinds=["submit"])
    assert len(running) == 1

    for ref in ("K-1", "K-2"):
        record_complaint(factory, draft("kalsel", ref), "{}", "application/json")
    (failing,) = outbox.claim(factory, "w1", 1, 60, tenants=["kalsel"])
    with transaction(factory) as session:
        assert outbox.finish_failed(
            session, failing, error="400 topic_id", error_kind="permanent", latency_ms=5.0
        )
        # failed an hour ago: waiting for an operator, not part of the queue's age
        session.execute(
            update(OutboxJob)
            .where(col(OutboxJob.id) == failing.id)
            .values(created_at=utcnow() - timedelta(hours=1))
        )
    return factory


def scrape(factory: sessionmaker[Session]) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(metrics.OutboxCollector(factory))
    return registry


def test_collector_reports_depth_and_ages_per_tenant_and_kind(queue) -> None:
    registry = scrape(queue)

    def sample(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert sample("gateway_metrics_db_up") == 1
    depth = {
        (tenant, kind, state): sample("gateway_outbox_depth", tenant=tenant, kind=kind, state=state)
        for tenant, kind in [("lampung", "submit"), ("lampung", "notify"), ("kalsel", "submit")]
        for state in ("pending", "running", "failed")
    }
    assert depth == {
        ("lampung", "submit", "pending"): 2,
        ("lampung", "submit", "running"): 1,
        ("lampung", "submit", "failed"): 0,
        ("lampung", "notify", "pending"): 1,
        ("lampung", "notify", "running"): 0,
        ("lampung", "notify", "failed"): 0,
        ("kalsel", "submit", "pending"): 1,
        ("kalsel", "submit", "running"): 0,
        ("kalsel", "submit", "failed"): 1,
    }
    # done jobs are not queue depth, and no series appears for a lane with only done jobs
    assert sample("gateway_outbox_depth", tenant="lampung", kind="comment", state="pending") is None

    submit_age = sample("gateway_outbox_oldest_age_seconds", tenant="lampung", kind="submit")
    notify_age = sample("gateway_outbox_oldest_age_seconds", tenant="lampung", kind="notify")
    kalsel_age = sample("gateway_outbox_oldest_age_seconds", tenant="kalsel", kind="submit")
    assert submit_age is not None and 600 <= submit_age < 600 + AGE_TOLERANCE
    assert notify_age is not None and 120 <= notify_age < 120 + AGE_TOLERANCE
    assert kalsel_age is not None and 0 <= kalsel_age < AGE_TOLERANCE

    assert sample("gateway_unsent_complaints", tenant="lampung") == 3
    assert sample("gateway_unsent_complaints", tenant="kalsel") == 2
    unsent_age = sample("gateway_oldest_unsent_age_seconds", tenant="lampung")
    assert unsent_age is not None and 600 <= unsent_age < 600 + AGE_TOLERANCE


def test_a_drained_queue_reports_zero_instead_of_vanishing(factory) -> None:
    result = record_complaint(factory, draft("lampung", "L-1"), "{}", "application/json")
    collector = metrics.OutboxCollector(factory)
    families = {f.name: f for f in collector.collect()}
    pending = {"tenant": "lampung", "kind": "submit", "state": "pending"}
    assert [s.value for s in families["gateway_outbox_depth"].samples if s.labels == pending] == [1]
    with transaction(factory) as session:
        session.execute(update(OutboxJob).values(state="done"))
        session.execute(
            update(Complaint)
            .where(col(Complaint.id) == result.complaint_id)
            .values(status="submitted")
        )
    families = {f.name: f for f in collector.collect()}
    depth = {
        (s.labels["kind"], s.labels["state"]): s.value
        for s in families["gateway_outbox_depth"].samples
    }
    assert depth == {("submit", "pending"): 0, ("submit", "running"): 0, ("submit", "failed"): 0}
    assert [s.value for s in families["gateway_oldest_unsent_age_seconds"].samples] == [0]
    assert [s.value for s in families["gateway_unsent_complaints"].samples] == [0]


def test_tenant_statuses_counts_backlog_failures_circuit_and_cursor(queue) -> None:
    circuits.save(
        queue, "kalsel", "open", 5, utcnow(), "503 from the registry", owner="w", stale_after=60
    )
    with transaction(queue) as session:
        session.add(
            FeedCursor(tenant="lampung", cursor="c-42", events_applied=7, updated_at=utcnow())
        )

    rows = {row.tenant: row for row in tenant_statuses(queue, ["lampung", "kalsel", "jakarta"])}
    assert list(rows) == ["lampung", "kalsel", "jakarta"]

    lampung, kalsel, jakarta = rows["lampung"], rows["kalsel"], rows["jakarta"]
    assert (lampung.backlog, lampung.failed) == (4, 0)  # 3 submit + 1 notify; done excluded
    assert lampung.oldest_unsent_age_seconds is not None
    assert 600 <= lampung.oldest_unsent_age_seconds < 600 + AGE_TOLERANCE
    assert (lampung.circuit_state, lampung.circuit_failures) == ("closed", 0)
    assert lampung.puller_cursor == "c-42"
    assert lampung.puller_updated_at is not None
    assert abs((utcnow() - lampung.puller_updated_at).total_seconds()) < AGE_TOLERANCE

    assert (kalsel.backlog, kalsel.failed) == (1, 1)
    assert (kalsel.circuit_state, kalsel.circuit_failures) == ("open", 5)
    assert kalsel.puller_cursor is None and kalsel.puller_updated_at is None

    assert (jakarta.backlog, jakarta.failed, jakarta.oldest_unsent_age_seconds) == (0, 0, None)

    console = Console(record=True, width=200)
    console.print(render_status(list(rows.values())))
    text = console.export_text()
    assert "lampung" in text and "c-42" in text and "jakarta" in text
    assert "10m0" in text  # lampung's oldest unsent, about 600 s
    assert "open (5 failures)" in text


def test_oldest_unsent_counts_a_pending_submit_job_of_a_complaint_no_longer_received(
    factory,
) -> None:
    result = record_complaint(factory, draft("lampung", "L-1"), "{}", "application/json")
    backdate(factory, result.complaint_id, 300)
    with transaction(factory) as session:  # e.g. retried after a failure, status moved on
        session.execute(update(Complaint).values(status="failed"))
    (row,) = tenant_statuses(factory, ["lampung"])
    assert row.oldest_unsent_age_seconds is not None
    assert 300 <= row.oldest_unsent_age_seconds < 300 + AGE_TOLERANCE


def test_puller_owner_is_the_unexpired_lease_holder(factory) -> None:
    assert puller_owner(factory) is None
    assert singleton.try_acquire(factory, "puller", "worker-a", ttl=30)
    owner = puller_owner(factory)
    assert owner is not None
    name, expires = owner
    assert name == "worker-a"
    assert 0 < (expires - datetime.now(UTC)).total_seconds() <= 30
    with transaction(factory) as session:
        session.execute(update(SingletonLease).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert puller_owner(factory) is None


@pytest.fixture
def installed() -> Iterator[None]:
    yield
    metrics.uninstall()


def test_metrics_endpoint_serves_the_queue_over_http(queue, installed) -> None:
    app = FastAPI()
    metrics.install(app, queue)
    metrics.install(app := FastAPI(), queue)  # installing again replaces, never clashes
    metrics.intake("lampung", "sms", "accepted")
    with serve_in_thread(app) as base_url:
        response = httpx.get(f"{base_url}/metrics", timeout=scaled(10))
        schema = httpx.get(f"{base_url}/openapi.json", timeout=scaled(10)).json()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(response.text))
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }

    def sample(name: str, **labels: str) -> float | None:
        return samples.get((name, tuple(sorted(labels.items()))))

    assert sample("gateway_outbox_depth", tenant="kalsel", kind="submit", state="failed") == 1
    assert sample("gateway_outbox_depth", tenant="lampung", kind="submit", state="pending") == 2
    assert sample("gateway_unsent_complaints", tenant="lampung") == 3
    assert sample("gateway_metrics_db_up") == 1
    intake = sample("gateway_intake_total", tenant="lampung", channel="sms", outcome="accepted")
    assert intake is not None and intake >= 1
    # one collector after two installs: each family once
    names = [family.name for family in families]
    assert names.count("gateway_outbox_depth") == 1
    assert "/metrics" not in schema["paths"]
