"""Two ``gateway worker`` processes share a tenant's request rate: together they send
no more than the configured rate (each takes half), not twice it."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from gateway.domain.complaint import ComplaintDraft
from gateway.migrations import upgrade
from gateway.storage.engine import make_engine, make_session_factory
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, WorkerHeartbeat
from tests.e2e.chaos_support import sandbox_token_args, worker_env, worker_pool
from tests.support import SANDBOX_ADMIN, sandbox_process, scaled, wait_until

pytestmark = pytest.mark.e2e

RATE = 8.0  # requests a second for the tenant, whatever the number of workers
COMPLAINTS = 48


def test_two_workers_together_keep_to_the_tenant_rate(tmp_path: Path, database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    env = worker_env(
        database_url,
        "",
        {
            "GATEWAY_DISPATCH_RATE": f"{RATE:g}",
            "GATEWAY_DISPATCH_INTERVAL": "0.2",
            "GATEWAY_PULL_INTERVAL": "600",  # only submissions go to the registry
        },
    )
    with sandbox_process(tmp_path, "--step-seconds", "0", *sandbox_token_args()) as sandbox:
        env["GATEWAY_NATIONAL_URL"] = sandbox
        with worker_pool(env, tmp_path, 2) as pool, httpx.Client(timeout=scaled(10)) as http:

            def live_workers() -> bool:
                assert not pool.exited(), {w: pool.log(w) for w in pool.exited()}
                with factory() as session:
                    return session.scalar(select(func.count()).select_from(WorkerHeartbeat)) == 2

            wait_until(live_workers, timeout=60, what="both workers' heartbeats")
            for i in range(COMPLAINTS):
                record_complaint(factory, draft(i), "{}", "application/json")

            def submitted(at_least: int) -> int:
                with factory() as session:
                    query = select(func.count()).where(Complaint.tracking_id.is_not(None))
                    done = int(session.scalar(query) or 0)
                return done if done >= at_least else 0

            def requests() -> tuple[float, int]:
                stats = http.get(f"{sandbox}/_sandbox/stats", headers=SANDBOX_ADMIN).json()
                count = stats["requests"]
                return time.monotonic(), int(count)

            wait_until(lambda: submitted(8), timeout=30, what="the first submissions")
            started, before = requests()
            wait_until(lambda: submitted(COMPLAINTS - 4), timeout=60, what="the backlog")
            ended, after = requests()
    engine.dispose()
    rate = (after - before) / (ended - started)
    # each process sends RATE / 2; one that did not share would make it 2 x RATE
    assert rate <= RATE * 1.2, rate
    assert rate >= RATE * 0.7, rate  # and the backlog did drain at about the limit


def draft(i: int) -> ComplaintDraft:
    return ComplaintDraft(
        tenant="lampung",
        channel="api",
        source_ref=f"SHARED-{i}",
        title="Lampu jalan padam",
        content="Lampu jalan di Jl. Kartini padam sejak seminggu, gelap di malam hari.",
        region_code="18.71",
    )
