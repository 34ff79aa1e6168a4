"""The sandbox registry as a real process over loopback (``python -m gateway.sandbox.cli``).

One server per configuration and session: the tests isolate themselves by account
(any bearer token is its own account) and reset the faults before each test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import (
    SANDBOX_ADMIN,
    SANDBOX_ADMIN_TOKEN,
    child_process,
    free_port,
    python,
    scaled,
)

BODY = {
    "title": "Jalan berlubang di Jl. Teuku Umar",
    "content": "Jalan berlubang besar di depan pasar Kedaton, sudah dua minggu tidak diperbaiki.",
    "classification": "pengaduan",
    "topic_id": 2,
    "region_code": "18.71",
    "location": "Jl. Teuku Umar, Kedaton",
    "latitude": -5.3971,
    "longitude": 105.2668,
    "incident_date": "2025-01-10",
    "anonymous": False,
    "confidential": False,
    "channel": "callcenter",
    "reporter": {"name": "Siti Aminah", "phone": "+6281234567890", "email": None},
    "attachments": [{"url": "https://example.org/foto.jpg", "content_type": "image/jpeg"}],
}


def complaint(external_ref: str | None = None, **changes: Any) -> dict[str, Any]:
    """A valid submission body with a fresh ``external_ref``."""
    return {**BODY, "external_ref": external_ref or f"GW-{uuid.uuid4().hex[:12]}", **changes}


@contextmanager
def sandbox_server(tmp: Path, *args: str) -> Iterator[str]:
    port = free_port()
    command = [python(), "-m", "gateway.sandbox.cli", "--port", str(port), *args]
    if "--db" not in args:
        command += ["--db", str(tmp / f"sandbox-{port}.db")]
    ready = f"http://127.0.0.1:{port}/_sandbox/health"
    env = {"GATEWAY_SANDBOX_ADMIN_TOKEN": SANDBOX_ADMIN_TOKEN}
    with child_process(command, env, ready, tmp / f"sandbox-{port}.log"):
        yield f"http://127.0.0.1:{port}"


class Sandboxes:
    """Starts each configuration once per session."""

    def __init__(self, tmp: Path) -> None:
        self._tmp = tmp
        self._stack = ExitStack()
        self._running: dict[tuple[str, ...], str] = {}

    def __call__(self, *args: str) -> str:
        if args not in self._running:
            self._running[args] = self._stack.enter_context(sandbox_server(self._tmp, *args))
        return self._running[args]

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def sandboxes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., str]]:
    running = Sandboxes(tmp_path_factory.mktemp("sandbox"))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def sandbox(sandboxes: Callable[..., str]) -> Iterator[str]:
    """A sandbox whose clock is stopped (moved by /_sandbox/advance), no archiving, no faults."""
    url = sandboxes("--step-seconds", "0", "--archive-rate", "0")
    httpx.put(f"{url}/_sandbox/faults", json={}, headers=SANDBOX_ADMIN).raise_for_status()
    yield url
    httpx.put(f"{url}/_sandbox/faults", json={}, headers=SANDBOX_ADMIN).raise_for_status()


@pytest.fixture
def account() -> dict[str, str]:
    """The headers of a fresh account (the sandbox takes any token as its own account)."""
    return {"Authorization": f"Bearer test-{uuid.uuid4().hex}"}


@pytest.fixture
def http(sandbox: str, account: dict[str, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox, headers=account, timeout=scaled(10)) as client:
        yield client
