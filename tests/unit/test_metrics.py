"""The metric functions update the gateway's own registry, and never raise."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from gateway import metrics
from gateway.metrics import REGISTRY


def value(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


@pytest.fixture
def tenant() -> str:
    """A fresh tenant label per test: the module registry lives for the whole session."""
    return f"t-{uuid.uuid4().hex[:8]}"


def test_the_registry_is_not_the_global_default() -> None:
    assert REGISTRY is not DEFAULT_REGISTRY
    assert DEFAULT_REGISTRY.get_sample_value("gateway_intake_total") is None


def test_intake_counts_per_tenant_channel_and_outcome(tenant: str) -> None:
    metrics.intake(tenant, "sms", "accepted")
    metrics.intake(tenant, "sms", "accepted")
    metrics.intake(tenant, "sms", "duplicate")
    metrics.intake(tenant, "telegram", "unavailable")
    assert value("gateway_intake_total", tenant=tenant, channel="sms", outcome="accepted") == 2
    assert value("gateway_intake_total", tenant=tenant, channel="sms", outcome="duplicate") == 1
    assert (
        value("gateway_intake_total", tenant=tenant, channel="telegram", outcome="unavailable") == 1
    )
    assert value("gateway_intake_total", tenant=tenant, channel="sms", outcome="invalid") is None


def test_attempt_counts_outcomes_and_times_per_kind(tenant: str) -> None:
    kind = f"kind-{tenant}"  # the histogram is per kind only
    metrics.attempt(tenant, kind, "ok", 0.2)
    metrics.attempt(tenant, kind, "retry", 3.0)
    metrics.attempt(tenant, kind, "retry", 0.001)
    assert value("gateway_job_attempts_total", tenant=tenant, kind=kind, outcome="ok") == 1
    assert value("gateway_job_attempts_total", tenant=tenant, kind=kind, outcome="retry") == 2
    assert value("gateway_job_attempt_seconds_count", kind=kind) == 3
    assert value("gateway_job_attempt_seconds_sum", kind=kind) == pytest.approx(3.201)
    assert value("gateway_job_attempt_seconds_bucket", kind=kind, le="0.25") == 2
    assert value("gateway_job_attempt_seconds_bucket", kind=kind, le="+Inf") == 3


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, "2xx"),
        (201, "2xx"),
        (302, "3xx"),
        (409, "4xx"),
        (429, "4xx"),
        (503, "5xx"),
        (None, "error"),
        (0, "error"),
        (600, "error"),
    ],
)
def test_status_class(status: int | None, expected: str) -> None:
    assert metrics.status_class(status) == expected


def test_registry_request_is_timed_by_path_template_and_status_class() -> None:
    path = f"/api/v1/complaints/{{tracking_id}}/{uuid.uuid4().hex[:6]}"
    metrics.registry_request("post", path, 201, 0.05)
    metrics.registry_request("POST", path, 400, 0.07)
    metrics.registry_request("POST", path, None, 10.0)
    labels = {"method": "POST", "path": path}
    assert value("gateway_registry_request_seconds_count", **labels, status_class="2xx") == 1
    assert value("gateway_registry_request_seconds_count", **labels, status_class="4xx") == 1
    assert value("gateway_registry_request_seconds_sum", **labels, status_class="error") == 10.0


def test_pulled_counts_events_and_sets_lag_and_last_success(tenant: str) -> None:
    before = time.time()
    metrics.pulled(tenant, 5, 42.5)
    assert value("gateway_puller_events_total", tenant=tenant) == 5
    assert value("gateway_puller_lag_seconds", tenant=tenant) == 42.5
    last = value("gateway_puller_last_success_timestamp", tenant=tenant)
    assert last is not None and before <= last <= time.time()

    metrics.pulled(tenant, 0, None)  # an empty poll: caught up
    assert value("gateway_puller_events_total", tenant=tenant) == 5
    assert value("gateway_puller_lag_seconds", tenant=tenant) == 0


def test_circuit_marks_exactly_the_current_state(tenant: str) -> None:
    metrics.circuit(tenant, "open")
    states = {
        s: value("gateway_circuit_state", tenant=tenant, state=s) for s in metrics.CIRCUIT_STATES
    }
    assert states == {"closed": 0, "open": 1, "half_open": 0}
    metrics.circuit(tenant, "half_open")
    metrics.circuit(tenant, "closed")
    states = {
        s: value("gateway_circuit_state", tenant=tenant, state=s) for s in metrics.CIRCUIT_STATES
    }
    assert states == {"closed": 1, "open": 0, "half_open": 0}


def test_bad_input_never_reaches_the_caller(tenant: str) -> None:
    metrics.attempt(tenant, "submit", "ok", "not a number")  # type: ignore[arg-type]
    metrics.pulled(tenant, -3, float("nan"))
    metrics.registry_request("GET", "/x", 200, float("inf"))
    # what could be recorded was, sanitised
    assert value("gateway_job_attempts_total", tenant=tenant, kind="submit", outcome="ok") == 1
    assert value("gateway_puller_events_total", tenant=tenant) is None
    assert value("gateway_puller_lag_seconds", tenant=tenant) == 0


def test_collector_reports_db_down_and_no_queue_families(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir" / "gateway.db"  # SQLite cannot open it
    factory = sessionmaker(create_engine(f"sqlite:///{missing}"))
    registry = CollectorRegistry()
    registry.register(metrics.OutboxCollector(factory))
    names = {family.name for family in registry.collect()}
    assert names == {"gateway_metrics_db_up"}
    assert registry.get_sample_value("gateway_metrics_db_up") == 0


def test_collector_describes_its_families_without_the_database() -> None:
    def no_session() -> None:
        raise AssertionError("describe must not touch the database")

    collector = metrics.OutboxCollector(no_session)  # type: ignore[arg-type]
    names = {family.name for family in collector.describe()}
    assert names == {
        "gateway_metrics_db_up",
        "gateway_outbox_depth",
        "gateway_outbox_oldest_age_seconds",
        "gateway_unsent_complaints",
        "gateway_oldest_unsent_age_seconds",
    }
