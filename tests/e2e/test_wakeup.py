"""New jobs wake a worker at once: a healthy registry gives a tracking ID within a second,
even when the dispatcher's poll interval is far longer."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import gateway_process
from tests.support import (
    ROOT,
    TENANT_ENV,
    child_process,
    fresh_postgres_database,
    python,
    sandbox_process,
    scaled,
    wait_until,
)

pytestmark = pytest.mark.e2e
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
SLOW_POLL = {"GATEWAY_DISPATCH_INTERVAL": "30", "GATEWAY_PULL_INTERVAL": "30"}


def seconds_to_tracking_id(http: httpx.Client, gateway: str, ref: str) -> float:
    body = {
        "source_ref": ref,
        "title": "Lampu jalan mati",
        "content": "Lampu penerangan jalan di depan SD Negeri 2 mati sejak minggu lalu.",
    }
    started = time.monotonic()
    answer = http.post(f"{gateway}/channels/api/lampung/complaints", json=body, headers=KEY)
    assert answer.status_code == 202, answer.text
    url = f"{gateway}/complaints/{answer.json()['id']}"
    wait_until(
        lambda: http.get(url, headers=KEY).json()["tracking_id"],
        timeout=10,
        interval=0.02,
        what="a tracking ID",
    )
    return time.monotonic() - started


def test_in_process_wakeup_on_sqlite(tmp_path: Path) -> None:
    with (
        sandbox_process(tmp_path, "--step-seconds", "0") as sandbox,
        gateway_process(tmp_path, f"sqlite:///{tmp_path / 'gw.db'}", sandbox, SLOW_POLL) as gateway,
        httpx.Client(timeout=scaled(5)) as http,
    ):
        seconds_to_tracking_id(http, gateway, "warm-up")
        times = [seconds_to_tracking_id(http, gateway, f"W-{i}") for i in range(5)]
    assert max(times) < 1.0, times


@pytest.mark.postgres
def test_listen_notify_wakes_a_separate_worker_on_postgres(tmp_path: Path) -> None:
    with (
        fresh_postgres_database() as database_url,
        sandbox_process(tmp_path, "--step-seconds", "0") as sandbox,
        gateway_process(
            tmp_path, database_url, sandbox, SLOW_POLL, serve_args=("--no-sync",)
        ) as gateway,
    ):
        env = {
            **TENANT_ENV,
            **SLOW_POLL,
            "GATEWAY_DATABASE_URL": database_url,
            "GATEWAY_NATIONAL_URL": sandbox,
            "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
            "GATEWAY_LOG_FORMAT": "json",
        }
        worker = [python(), "-m", "gateway", "worker"]
        # the worker has no HTTP port: it is ready when it has claimed the warm-up job
        with (
            child_process(worker, env, f"{gateway}/healthz", tmp_path / "worker.log"),
            httpx.Client(timeout=scaled(5)) as http,
        ):
            seconds_to_tracking_id(http, gateway, "warm-up")
            times = [seconds_to_tracking_id(http, gateway, f"W-{i}") for i in range(5)]
    assert max(times) < 1.0, times
