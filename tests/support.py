"""Test support: waiting on conditions, free ports, child processes, databases."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")

#: every deadline in the tests is multiplied by this (GATEWAY_TEST_TIME_SCALE, default 1):
#: a slow or busy machine raises it; nothing in the tests sleeps to synchronise.
#: :func:`wait_until` and :func:`child_process` scale the ``timeout`` they are given; any
#: other wait (``proc.wait``, ``thread.join``, ``asyncio.wait_for``, an HTTP client's
#: timeout, ``time.monotonic() + ...``) takes ``scaled(seconds)``; pytest-timeout's limit
#: per test scales too (tests/conftest.py). tests/unit/test_scaled_deadlines.py checks it.
TIME_SCALE = max(1.0, float(os.environ.get("GATEWAY_TEST_TIME_SCALE", "1") or 1))


def scaled(seconds: float) -> float:
    """A test deadline, scaled for the machine (:data:`TIME_SCALE`)."""
    return seconds * TIME_SCALE


POSTGRES_URL = os.environ.get(
    "GATEWAY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)

TENANT_ENV = {
    "GATEWAY_LAMPUNG_NATIONAL_TOKEN": "test-token-lampung-0001",
    "GATEWAY_LAMPUNG_API_KEY": "key-lampung-0123456789",
    "GATEWAY_KALSEL_NATIONAL_TOKEN": "test-token-kalsel-0001",
    "GATEWAY_KALSEL_API_KEY": "key-kalsel-0123456789",
    "GATEWAY_KALSEL_LAPORPAMAN_WEBHOOK_SECRET": "hook-kalsel-0123456789",
    "GATEWAY_SUMBAR_NATIONAL_TOKEN": "test-token-sumbar-0001",
    "GATEWAY_SUMBAR_API_KEY": "key-sumbar-0123456789",
    "GATEWAY_SUMBAR_TELEGRAM_BOT_TOKEN": "123456:test-bot-token-sumbar",
    "GATEWAY_SUMBAR_TELEGRAM_WEBHOOK_SECRET": "hook-sumbar-0123456789",
    "GATEWAY_SUMBAR_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "GATEWAY_SUMBAR_WHATSAPP_ACCESS_TOKEN": "EAAtest-whatsapp-token-sumbar-0123456789",
    "GATEWAY_SUMBAR_WHATSAPP_APP_SECRET": "app-secret-sumbar-0123456789",
    "GATEWAY_SUMBAR_WHATSAPP_VERIFY_TOKEN": "verify-sumbar-0123456789",
    "GATEWAY_SULBAR_NATIONAL_TOKEN": "test-token-sulbar-0001",
    "GATEWAY_SULBAR_API_KEY": "key-sulbar-0123456789",
    "GATEWAY_SULBAR_WEBFORM_WEBHOOK_SECRET": "hook-sulbar-0123456789",
    "GATEWAY_SUMBAR_KANNEL_KEY": "kannel-key-sumbar-0123456789",
    "GATEWAY_SUMBAR_KANNEL_PASSWORD": "kannel-pass-sumbar-0123456789",
    "GATEWAY_SULBAR_SMS_SECRET": "sms-secret-sulbar-0123456789",
    "GATEWAY_SIJUNJUNG_NATIONAL_TOKEN": "test-token-sijunjung-0001",
    "GATEWAY_SIJUNJUNG_API_KEY": "key-sijunjung-0123456789",
    # LAPORPAMAN's own database: none here (the pull logs that it cannot read it);
    # tests that pull give their own
    "GATEWAY_KALSEL_LAPORPAMAN_DB_URL": "sqlite://",
}

#: the sandbox's admin token in the tests (GATEWAY_SANDBOX_ADMIN_TOKEN of the sandbox
#: processes; ``sandbox_admin_token`` of in-process ones), and the headers sending it
SANDBOX_ADMIN_TOKEN = "test-sandbox-admin-token-0123456789"
SANDBOX_ADMIN = {"Authorization": f"Bearer {SANDBOX_ADMIN_TOKEN}"}


def wait_until(
    predicate: Callable[[], T], timeout: float = 20.0, interval: float = 0.05, what: str = ""
) -> T:
    """Poll ``predicate`` until it returns something truthy, or fail at the deadline
    (``timeout`` scaled by :data:`TIME_SCALE`)."""
    timeout = scaled(timeout)
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}: {last!r}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def child_process(
    args: list[str], env: dict[str, str], ready_url: str, log_path: Path, timeout: float = 30
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a child process and wait until ``ready_url`` answers; kill it afterwards."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            args, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
        )

    def ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError(
                f"{args} exited with {proc.returncode}:\n{log_path.read_text()[-4000:]}"
            )
        try:
            return httpx.get(ready_url, timeout=scaled(1)).status_code < 500
        except httpx.TransportError:
            return False

    try:
        wait_until(ready, timeout=timeout, interval=0.1, what=f"{ready_url} to answer")
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=scaled(10))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def python() -> str:
    return sys.executable


def postgres_available() -> bool:
    import psycopg

    url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(url, connect_timeout=round(scaled(3))):
            return True
    except psycopg.Error:
        return False


def ensure_postgres() -> None:
    """Start the machine's PostgreSQL cluster if it is stopped."""
    if postgres_available():
        return
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if versions:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],
            check=False,
            capture_output=True,
        )
    wait_until(postgres_available, timeout=30, interval=0.5, what="PostgreSQL")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test; dropped afterwards."""
    import psycopg

    ensure_postgres()
    admin_url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"gw_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def serve_in_thread(app: object, port: int | None = None, **options: object) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on loopback in a thread; yields its base URL.

    ``options`` go to ``uvicorn.Config`` (e.g. ``http="h11", loop="asyncio"``).
    """
    import threading

    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
        **options,  # type: ignore[arg-type]
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, timeout=20, what="uvicorn to start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=scaled(15))


@contextmanager
def sandbox_process(tmp: Path, *extra: str) -> Iterator[str]:
    """``gateway sandbox`` as a separate process on a free loopback port; yields its URL
    (its administration takes :data:`SANDBOX_ADMIN`)."""
    port = free_port()
    args = [
        python(),
        "-m",
        "gateway.sandbox.cli",
        "--port",
        str(port),
        "--db",
        str(tmp / f"sandbox-{port}.db"),
        *extra,
    ]
    env = {"GATEWAY_SANDBOX_ADMIN_TOKEN": SANDBOX_ADMIN_TOKEN}
    with child_process(
        args, env, f"http://127.0.0.1:{port}/_sandbox/health", tmp / f"sandbox-{port}.log"
    ):
        yield f"http://127.0.0.1:{port}"
