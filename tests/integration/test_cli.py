"""The operator commands as an operator runs them: `gateway ...` in a shell."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gateway.domain.complaint import ComplaintDraft
from gateway.migrations import upgrade
from gateway.storage import outbox
from gateway.storage.engine import make_engine, make_session_factory, transaction
from gateway.storage.intake import record_complaint
from tests.support import ROOT, TENANT_ENV, python, scaled


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'gw.db'}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    for i in range(3):
        draft = ComplaintDraft(
            tenant="lampung",
            channel="api",
            source_ref=f"S-{i}",
            title="Jalan rusak",
            content="Jalan rusak parah di Way Kanan.",
            region_code="18",
        )
        record_complaint(factory, draft, "{}", "application/json")
    [job] = outbox.claim(factory, "w", 1, 60)
    with transaction(factory) as session:
        outbox.finish_failed(
            session, job, error="topic_id: unknown topic 999", error_kind="permanent", latency_ms=1
        )
    engine.dispose()
    return {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": url,
        "GATEWAY_NATIONAL_URL": "http://127.0.0.1:9",
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
        "COLUMNS": "200",
    }


def gateway(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [python(), "-m", "gateway", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=scaled(60),
        cwd=ROOT,
    )


def test_status_shows_backlog_failed_and_circuit_per_tenant(env: dict[str, str]) -> None:
    done = gateway(env, "status")
    assert done.returncode == 0, done.stderr
    rows = {
        line.split()[1]: line
        for line in done.stdout.splitlines()
        if line.strip().startswith("│") and ("lampung" in line or "kalsel" in line)
    }
    assert set(rows) == {"lampung", "kalsel"}
    lampung = rows["lampung"].split("│")
    assert lampung[2].strip() == "2" and lampung[4].strip() == "1"  # backlog 2, failed 1
    assert "closed" in rows["lampung"] and "no process follows it" in done.stdout


def test_jobs_list_and_retry(env: dict[str, str]) -> None:
    listed = gateway(env, "jobs", "list", "--state", "failed")
    assert listed.returncode == 0, listed.stderr
    assert "unknown topic 999" in listed.stdout and "failed: 1" in listed.stdout
    refused = gateway(env, "jobs", "retry")
    assert refused.returncode == 2 and "--all" in refused.stderr
    retried = gateway(env, "jobs", "retry", "--all")
    assert retried.returncode == 0 and "1 job(s) queued again" in retried.stdout
    assert "failed" not in gateway(env, "jobs", "list").stdout.split("\n")[-2]
