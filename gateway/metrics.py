"""Prometheus metrics, on this module's own :data:`REGISTRY`, served at ``GET /metrics``.

Event metrics (intake, job attempts, registry requests, the puller, circuits) are
updated by the functions below; each is cheap and never raises, so a metrics
mistake can never fail a request or a job. Queue metrics (outbox depth and age,
unsent complaints) are read from the database at scrape time by
:class:`OutboxCollector`, so every gateway process reports the shared queue as it is.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ParamSpec

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.logs import get_logger
from gateway.storage.models import Complaint, OutboxJob

P = ParamSpec("P")

_log = get_logger(__name__)

REGISTRY = CollectorRegistry()

#: Seconds: from a fast local call to the registry client's longest timeouts.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
CIRCUIT_STATES = ("closed", "open", "half_open")
JOB_KINDS = ("submit", "notify", "comment", "reply")
QUEUE_STATES = ("pending", "running", "failed")
#: A scrape must not hang on a locked or slow database (PostgreSQL only).
SCRAPE_STATEMENT_TIMEOUT_MS = 2000

_intake = Counter(
    "gateway_intake_total",
    "Channel inputs by outcome "
    "(accepted, duplicate, invalid, unauthorized, throttled, unavailable)",
    ["tenant", "channel", "outcome"],
    registry=REGISTRY,
)
_attempts = Counter(
    "gateway_job_attempts_total",
    "Outbox job attempts by outcome",
    ["tenant", "kind", "outcome"],
    registry=REGISTRY,
)
_attempt_seconds = Histogram(
    "gateway_job_attempt_seconds",
    "Duration of one outbox job attempt",
    ["kind"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
_registry_seconds = Histogram(
    "gateway_registry_request_seconds",
    "Requests to the national registry, by path template and status class",
    ["method", "path", "status_class"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
_pulled = Counter(
    "gateway_puller_events_total",
    "Change-feed events applied by the status puller",
    ["tenant"],
    registry=REGISTRY,
)
_pull_gaps_given_up = Counter(
    "gateway_webform_pull_gaps_given_up_total",
    "Portal rows (keys below the highest read) that never appeared within the gap horizon",
    ["tenant", "channel"],
    registry=REGISTRY,
)
_pull_lag = Gauge(
    "gateway_puller_lag_seconds",
    "Seconds between the newest applied event's national time and its pull (0 when caught up)",
    ["tenant"],
    registry=REGISTRY,
)
_pull_success = Gauge(
    "gateway_puller_last_success_timestamp",
    "Unix time of the puller's last successful poll",
    ["tenant"],
    registry=REGISTRY,
)
_circuit = Gauge(
    "gateway_circuit_state",
    "Circuit breaker towards the registry: 1 for the current state",
    ["tenant", "state"],
    registry=REGISTRY,
)


def _quiet(fn: Callable[P, None]) -> Callable[P, None]:
    """Metrics never fail the caller: log and swallow anything raised."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            fn(*args, **kwargs)
        except Exception:
            _log.warning("metrics_update_failed", metric=fn.__name__, exc_info=True)

    return wrapper


def _seconds(value: float) -> float:
    """A duration fit to observe: finite and not negative."""
    value = float(value)
    return value if math.isfinite(value) and value > 0 else 0.0


@_quiet
def intake(tenant: str, channel: str, outcome: str) -> None:
    _intake.labels(tenant, channel, outcome).inc()


@_quiet
def pull_gaps_given_up(tenant: str, channel: str, count: int) -> None:
    """Keys below a pulled source's highest that never appeared within the horizon."""
    _pull_gaps_given_up.labels(tenant, channel).inc(count)


@_quiet
def attempt(tenant: str, kind: str, outcome: str, seconds: float) -> None:
    _attempts.labels(tenant, kind, outcome).inc()
    _attempt_seconds.labels(kind).observe(_seconds(seconds))


def status_class(status: int | None) -> str:
    """``2xx`` … ``5xx`` for an HTTP status; ``error`` for a transport error or nonsense."""
    if status is None or not 100 <= status <= 599:
        return "error"
    return f"{status // 100}xx"


@_quiet
def registry_request(method: str, path_template: str, status: int | None, seconds: float) -> None:
    """A :data:`gateway.national.client.OnRequest` hook."""
    _registry_seconds.labels(method.upper(), path_template, status_class(status)).observe(
        _seconds(seconds)
    )


@_quiet
def pulled(tenant: str, events: int, lag_seconds: float | None) -> None:
    """A successful poll of ``tenant``'s change feed that applied ``events`` events.

    ``lag_seconds`` is the age of the newest applied event's national time; None
    (nothing new in the feed) means the puller is caught up: lag 0.
    """
    if events > 0:
        _pulled.labels(tenant).inc(events)
    _pull_lag.labels(tenant).set(0.0 if lag_seconds is None else _seconds(lag_seconds))
    _pull_success.labels(tenant).set_to_current_time()


@_quiet
def circuit(tenant: str, state: str) -> None:
    for known in {*CIRCUIT_STATES, state}:
        _circuit.labels(tenant, known).set(1.0 if known == state else 0.0)


def _age(since: datetime | None, now: datetime) -> float:
    if since is None:
        return 0.0
    if since.tzinfo is None:  # a backend that hands back naive UTC
        since = since.replace(tzinfo=UTC)
    return max((now - since).total_seconds(), 0.0)


_QUEUE_FAMILIES = [
    ("gateway_outbox_depth", "Outbox jobs by state", ["tenant", "kind", "state"]),
    (
        "gateway_outbox_oldest_age_seconds",
        "Age of the oldest pending or running outbox job (0 when none)",
        ["tenant", "kind"],
    ),
    ("gateway_unsent_complaints", "Complaints not yet sent to the registry", ["tenant"]),
    (
        "gateway_oldest_unsent_age_seconds",
        "Age of the oldest complaint not yet sent to the registry (0 when none)",
        ["tenant"],
    ),
]


def _db_up(value: int) -> GaugeMetricFamily:
    return GaugeMetricFamily(
        "gateway_metrics_db_up", "1 if this scrape could read the database", value=value
    )


class OutboxCollector:
    """Queue depth and age, read from the database at each scrape.

    Series seen once keep being reported (at 0) after their queue drains, so a
    dashboard sees the backlog fall to zero instead of the series vanishing.
    """

    def __init__(self, factory: sessionmaker[Session], tenants: Iterable[str] = ()) -> None:
        self._factory = factory
        self._tenants: set[str] = set(tenants)
        self._lanes: set[tuple[str, str]] = {(t, k) for t in self._tenants for k in JOB_KINDS}
        self._lock = threading.Lock()

    def describe(self) -> Iterable[Metric]:
        """The families' names, so the registry can refuse a clash (no database access)."""
        return [_db_up(1), *self._families()]

    def collect(self) -> Iterable[Metric]:
        try:
            jobs, complaints = self._query()
        except Exception:
            _log.warning("metrics_scrape_db_failed", exc_info=True)
            yield _db_up(0)
            return
        yield _db_up(1)
        yield from self._render(jobs, complaints, datetime.now(UTC))

    def _query(self) -> tuple[list[Any], list[Any]]:
        jobs_query = (
            select(
                col(OutboxJob.tenant),
                col(OutboxJob.kind),
                col(OutboxJob.state),
                func.count(),
                func.min(col(OutboxJob.created_at)),
            )
            .where(col(OutboxJob.state).in_(QUEUE_STATES))
            .group_by(col(OutboxJob.tenant), col(OutboxJob.kind), col(OutboxJob.state))
        )
        complaints_query = (
            select(col(Complaint.tenant), func.count(), func.min(col(Complaint.created_at)))
            .where(col(Complaint.status) == "received")
            .group_by(col(Complaint.tenant))
        )
        with self._factory() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    text(f"SET LOCAL statement_timeout = {int(SCRAPE_STATEMENT_TIMEOUT_MS)}")
                )
            jobs = list(session.execute(jobs_query).all())
            complaints = list(session.execute(complaints_query).all())
        return jobs, complaints

    def _families(self) -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily(name, doc, labels=labels) for name, doc, labels in _QUEUE_FAMILIES
        ]

    def _render(
        self, jobs: list[Any], complaints: list[Any], now: datetime
    ) -> Iterator[GaugeMetricFamily]:
        depth_family, age_family, unsent_family, unsent_age_family = self._families()
        depth: dict[tuple[str, str, str], int] = {}
        oldest: dict[tuple[str, str], float] = {}
        for tenant, kind, state, count, first in jobs:
            depth[(tenant, kind, state)] = int(count)
            if state != "failed":
                oldest[(tenant, kind)] = max(oldest.get((tenant, kind), 0.0), _age(first, now))
        unsent = {tenant: (int(count), _age(first, now)) for tenant, count, first in complaints}
        with self._lock:
            self._lanes.update((tenant, kind) for tenant, kind, _ in depth)
            self._tenants.update(tenant for tenant, _ in self._lanes)
            self._tenants.update(unsent)
            lanes, tenants = sorted(self._lanes), sorted(self._tenants)
        for tenant, kind in lanes:
            for state in QUEUE_STATES:
                depth_family.add_metric([tenant, kind, state], depth.get((tenant, kind, state), 0))
            age_family.add_metric([tenant, kind], oldest.get((tenant, kind), 0.0))
        for tenant in tenants:
            count, age = unsent.get(tenant, (0, 0.0))
            unsent_family.add_metric([tenant], count)
            unsent_age_family.add_metric([tenant], age)
        yield depth_family
        yield age_family
        yield unsent_family
        yield unsent_age_family


_installed: OutboxCollector | None = None
_install_lock = threading.Lock()


def install(app: FastAPI, factory: sessionmaker[Session]) -> None:
    """Register the queue collector for ``factory`` and serve ``GET /metrics`` on ``app``.

    Installing again (another app, as tests do) replaces the previous collector.
    """
    global _installed
    collector = OutboxCollector(factory)
    with _install_lock:
        if _installed is not None:
            REGISTRY.unregister(_installed)
        REGISTRY.register(collector)
        _installed = collector

    # a plain ``def``: FastAPI runs it in a worker thread, off the event loop
    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def uninstall() -> None:
    """Drop the queue collector (tests, shutdown); the event metrics stay."""
    global _installed
    with _install_lock:
        if _installed is not None:
            REGISTRY.unregister(_installed)
            _installed = None
