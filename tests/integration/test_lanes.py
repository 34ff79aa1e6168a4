"""Per-tenant lanes against the sandbox over loopback: fairness, a failing token,
the circuit breaker and the rate limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from gateway.bootstrap import Container, build_container
from gateway.domain.complaint import ComplaintDraft
from gateway.settings import Settings
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, OutboxJob
from gateway.sync.limits import CircuitState
from tests.support import ROOT, SANDBOX_ADMIN, TENANT_ENV, sandbox_process, wait_until

REGION = {"lampung": "18.71", "kalsel": "63.71"}


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[str]:
    # only Lampung's token is known to the registry: Kalimantan Selatan's is refused
    lampung = f"{TENANT_ENV['GATEWAY_LAMPUNG_NATIONAL_TOKEN']}=lampung"
    with sandbox_process(tmp_path, "--step-seconds", "0", "--token", lampung) as url:
        yield url


def make_container(database_url: str, sandbox: str, **settings: object) -> Container:
    values: dict[str, object] = {
        "database_url": database_url,
        "mappings_dir": str(ROOT / "mappings"),
        "national_url": sandbox,
        "national_timeout": 2,
        "max_attempts": 3,
        **settings,
    }
    return build_container(Settings(**values), environ=TENANT_ENV)  # type: ignore[arg-type]


def file(container: Container, tenant: str, count: int) -> None:
    for i in range(count):
        draft = ComplaintDraft(
            tenant=tenant,
            channel="api",
            source_ref=f"{tenant}-{i}",
            title="Air PDAM tidak mengalir",
            content="Air PDAM tidak mengalir sejak tiga hari di perumahan kami.",
            region_code=REGION[tenant],
        )
        record_complaint(container.factory, draft, "{}", "application/json")


def submitted(container: Container, tenant: str) -> int:
    with container.factory() as session:
        query = select(func.count()).where(
            Complaint.tenant == tenant, Complaint.tracking_id.is_not(None)
        )
        return int(session.scalar(query) or 0)


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as r:
        yield r


def test_a_backlog_does_not_starve_another_tenant(engine, database_url, sandbox, runner) -> None:
    container = make_container(database_url, sandbox, dispatch_concurrency=5)
    file(container, "lampung", 200)
    file(container, "kalsel", 5)  # filed after Lampung's whole backlog
    dispatcher = container.dispatcher()
    runner.run(dispatcher.run_once())
    # kalsel's jobs went in the first round, beside five of Lampung's
    with container.factory() as session:
        attempted = dict(
            session.execute(
                select(OutboxJob.tenant, func.count())
                .where(OutboxJob.attempts > 0)
                .group_by(OutboxJob.tenant)
            ).all()
        )
    assert attempted == {"lampung": 5, "kalsel": 5}
    runner.run(container.aclose())


def test_a_refused_token_fails_that_tenant_only(engine, database_url, sandbox, runner) -> None:
    container = make_container(database_url, sandbox, dispatch_concurrency=10)
    file(container, "lampung", 20)
    file(container, "kalsel", 20)
    dispatcher = container.dispatcher()
    for _ in range(6):
        runner.run(dispatcher.run_once())
    assert submitted(container, "lampung") == 20
    assert submitted(container, "kalsel") == 0
    with container.factory() as session:
        reasons = set(
            session.scalars(select(Complaint.failure_reason).where(Complaint.tenant == "kalsel"))
        )
    assert len(reasons) == 1 and "token" in next(iter(reasons))
    runner.run(container.aclose())


def test_the_circuit_opens_on_a_failing_registry_and_closes_when_it_recovers(
    engine, database_url, sandbox, runner
) -> None:
    container = make_container(
        database_url,
        sandbox,
        dispatch_concurrency=2,
        circuit_failures=3,
        # long enough that a slow machine cannot reach the half-open probe between the
        # two looks below (0.5 s did, under load: one probe request counted)
        circuit_cooldown=3,
        max_attempts=50,
        backoff_base=0.05,
        backoff_max=0.1,
    )
    try:
        file(container, "lampung", 10)
        dispatcher = container.dispatcher()
        lane = dispatcher.lanes["lampung"]
        faults = httpx.put(
            f"{sandbox}/_sandbox/faults", json={"error_rate": 1.0}, headers=SANDBOX_ADMIN
        )
        assert faults.status_code == 200

        def opened() -> bool:
            runner.run(dispatcher.run_once())
            return lane.breaker.state == CircuitState.OPEN

        wait_until(opened, timeout=10, what="the circuit to open")
        requests = httpx.get(f"{sandbox}/_sandbox/stats", headers=SANDBOX_ADMIN).json()["requests"]
        runner.run(dispatcher.run_once())  # open: nothing is sent
        assert (
            httpx.get(f"{sandbox}/_sandbox/stats", headers=SANDBOX_ADMIN).json()["requests"]
            == requests
        )

        # the registry recovers
        httpx.put(f"{sandbox}/_sandbox/faults", json={}, headers=SANDBOX_ADMIN)

        def recovered() -> bool:
            runner.run(dispatcher.run_once())
            return submitted(container, "lampung") == 10

        wait_until(recovered, timeout=20, what="the backlog to drain after the probe")
        assert lane.breaker.state == CircuitState.CLOSED
    finally:
        runner.run(container.aclose())


def test_the_rate_limit_spaces_registry_requests(engine, database_url, sandbox, runner) -> None:
    container = make_container(database_url, sandbox, dispatch_concurrency=40, dispatch_rate=20)
    file(container, "lampung", 40)
    dispatcher = container.dispatcher()
    started = time.monotonic()
    stats = runner.run(dispatcher.run_once())
    elapsed = time.monotonic() - started
    assert stats.by_kind == {"submit": 40} and stats.ok == 40
    # 40 requests at 20/s with a burst of 2: at least (40 - 2) / 20 = 1.9 s
    assert elapsed >= 1.85, elapsed
    runner.run(container.aclose())
