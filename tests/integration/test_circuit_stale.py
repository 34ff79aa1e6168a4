"""A circuit left "open" by a process that died does not outlive it (issue 19, point 3):
`gateway status` (the CLI, on a real database) and the console's overview show what
the live processes see, once the dead one's state has expired. No sleeping: the dead
process's last writes are dated back (its clock), the readers take ``now``."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.app import create_app
from gateway.bootstrap import Container, build_container
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.ops import accounts, labels
from gateway.ops_status import tenant_statuses
from gateway.settings import Settings
from gateway.storage import circuits
from gateway.storage.intake import record_complaint, utcnow
from gateway.storage.models import Complaint, TenantCircuit, WorkerHeartbeat
from gateway.sync.limits import CircuitBreaker
from tests.integration.test_storage import draft
from tests.ops_support import operator
from tests.support import ROOT, TENANT_ENV, python, scaled, serve_in_thread

#: the heartbeat time-to-live the processes run with (the default)
TTL = 5.0


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as run:
        yield run


def process(database_url: str, tmp_path: Path, worker_id: str) -> Container:
    """A gateway process as `gateway worker` builds it, with the in-process sandbox."""
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / f"sandbox-{worker_id}.db"),
        sandbox_step_seconds=3600,
        worker_id=worker_id,
        heartbeat_ttl=TTL,
    )
    return build_container(settings, environ=TENANT_ENV)


def kill_at(factory: sessionmaker[Session], owner: str, last_sign: datetime) -> None:
    """The process's last heartbeat and circuit write happened at ``last_sign``."""
    with factory() as session, session.begin():
        session.execute(
            update(WorkerHeartbeat)
            .where(WorkerHeartbeat.owner == owner)  # type: ignore[arg-type]
            .values(beat_at=last_sign, started_at=last_sign)
        )
        session.execute(update(TenantCircuit).values(updated_at=last_sign))


def gateway_status(database_url: str) -> str:
    env = {
        **os.environ,
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_NATIONAL_URL": "http://127.0.0.1:9",
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [python(), "-m", "gateway", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=scaled(120),
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    [row] = [line for line in done.stdout.splitlines() if "│ lampung " in line]
    return row


def console_circuit(container: Container, factory: sessionmaker[Session]) -> str:
    """The circuit cell of lampung's row on the console's overview."""
    row = operator(factory, "budi", "national", None)
    token, _csrf = accounts.open_session(factory, row)
    with (
        serve_in_thread(create_app(container, run_sync=False)) as base,
        httpx.Client(base_url=base, timeout=scaled(30), cookies={"lapor_ops": token}) as http,
    ):
        page = http.get("/ops", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    tenant_row = page.text.split('id="tenant-lampung"', 1)[1].split("</tr>", 1)[0]
    cell = re.search(r'data-label="Sirkuit">(.*?)</td>', tenant_row, re.S)
    assert cell is not None
    return " ".join(re.sub(r"<[^>]+>", " ", cell.group(1)).split())


def test_an_open_circuit_of_a_killed_worker_is_not_shown_once_it_expired(
    engine, factory, database_url: str, tmp_path: Path, runner: asyncio.Runner
) -> None:
    # worker A: the registry failed, its circuit opened and was written; then kill -9
    a = process(database_url, tmp_path, "worker-a")
    runner.run(a.peers().beat())
    breaker = CircuitBreaker(threshold=1)
    breaker.on_change = lambda b: a._circuit_changed("lampung", b)
    breaker.record(GatewayError(ErrorKind.RETRYABLE, "503 from the registry"))
    died = utcnow() - timedelta(seconds=60)
    kill_at(factory, "worker-a", died)
    runner.run(a.aclose())
    # while A could still be alive, its open circuit is what the tenant shows
    [before] = tenant_statuses(factory, ["lampung"], now=died + timedelta(seconds=TTL - 1))
    assert (before.circuit_state, before.circuit_failures) == ("open", 1)

    # worker B delivers: the registry answers again
    b = process(database_url, tmp_path, "worker-b")
    try:
        complaint_id = record_complaint(factory, draft("CC-ALIVE"), "{}", "x").complaint_id
        runner.run(b.peers().beat())
        runner.run(b.dispatcher().run_once())
        with factory() as session:
            tracking = session.scalar(
                select(Complaint.tracking_id).where(Complaint.id == complaint_id)  # type: ignore[arg-type]
            )
        assert tracking is not None

        # A's state has expired (60 s without a write or a heartbeat; it may be 5)
        [after] = tenant_statuses(factory, ["lampung"])
        assert (after.circuit_state, after.circuit_failures) == ("closed", 0)
        row = gateway_status(database_url)
        assert "closed" in row and "open" not in row, row
        shown = console_circuit(b, factory)
        assert shown == labels.CIRCUIT["closed"][0] == "normal", shown  # not "terputus"
    finally:
        runner.run(b.aclose())


def test_a_live_process_keeps_its_open_circuit_shown_and_a_write_forgets_dead_ones(
    factory,
) -> None:
    now = utcnow()
    long_ago = now - timedelta(minutes=10)
    # C's circuit opened ten minutes ago and has not changed; C still beats
    circuits.save(
        factory, "lampung", "open", 5, long_ago, "503", owner="c", stale_after=TTL, now=long_ago
    )
    # D died ten minutes ago with its circuit open
    circuits.save(
        factory, "kalsel", "open", 7, long_ago, "503", owner="d", stale_after=TTL, now=long_ago
    )
    with factory() as session, session.begin():
        session.add(WorkerHeartbeat(owner="c", started_at=long_ago, beat_at=now))
        session.add(WorkerHeartbeat(owner="d", started_at=long_ago, beat_at=long_ago))
    rows = {r.tenant: r for r in tenant_statuses(factory, ["lampung", "kalsel"], now=now)}
    assert (rows["lampung"].circuit_state, rows["lampung"].circuit_failures) == ("open", 5)
    assert (rows["kalsel"].circuit_state, rows["kalsel"].circuit_failures) == ("closed", 0)
    # two live processes disagree: the worse state shows
    circuits.save(factory, "lampung", "half_open", 1, now, None, owner="e", stale_after=TTL)
    [lampung] = tenant_statuses(factory, ["lampung"], now=now)
    assert lampung.circuit_state == "open"

    # E's next write for kalsel drops D's row; C's stays (it is alive)
    circuits.save(factory, "kalsel", "closed", 0, None, None, owner="e", stale_after=TTL)
    with factory() as session:
        kept = session.execute(select(TenantCircuit.tenant, TenantCircuit.owner)).all()  # type: ignore[call-overload]
    assert sorted(map(tuple, kept)) == [("kalsel", "e"), ("lampung", "c"), ("lampung", "e")]
