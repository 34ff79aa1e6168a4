"""End-to-end fixtures: the sandbox and the gateway as separate processes over loopback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support import ROOT, TENANT_ENV, child_process, free_port, python, scaled

FAULTS = {
    "--error-rate": "0.08",
    "--throttle-rate": "0.05",
    "--retry-after": "1",
    "--timeout-rate": "0.04",
    "--timeout-seconds": "3",
    "--reset-rate": "0.04",
    "--lost-response-rate": "0.15",
}


@contextmanager
def gateway_process(
    tmp: Path,
    database_url: str,
    national_url: str,
    extra_env: dict[str, str] | None = None,
    serve_args: tuple[str, ...] = (),
) -> Iterator[str]:
    """`gateway serve` as a process (after `gateway db upgrade`); yields its URL."""
    port = free_port()
    env = {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_NATIONAL_URL": national_url,
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
        "GATEWAY_NATIONAL_TIMEOUT": "1.5",
        "GATEWAY_LEASE_SECONDS": "30",
        "GATEWAY_DISPATCH_INTERVAL": "0.2",
        "GATEWAY_PULL_INTERVAL": "0.3",
        "GATEWAY_BACKOFF_BASE": "0.2",
        "GATEWAY_BACKOFF_MAX": "2",
        "GATEWAY_MAX_ATTEMPTS": "100",
        "GATEWAY_LOG_FORMAT": "json",
        **(extra_env or {}),
    }
    gateway = [python(), "-m", "gateway"]
    upgraded = subprocess.run(
        [*gateway, "db", "upgrade"],
        env={**_base_env(), **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=scaled(120),
    )
    assert upgraded.returncode == 0, upgraded.stderr
    with child_process(
        [*gateway, "serve", "--port", str(port), *serve_args],
        env,
        f"http://127.0.0.1:{port}/healthz",
        tmp / "gateway.log",
    ):
        yield f"http://127.0.0.1:{port}"


def _base_env() -> dict[str, str]:
    import os

    return dict(os.environ)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=scaled(10)) as client:
        yield client
