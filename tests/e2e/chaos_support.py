"""Chaos for the end-to-end tests: worker processes killed and replaced, intake in
bulk over HTTP, the gateway's database read directly, the PostgreSQL cluster
stopped and started."""

from __future__ import annotations

import os
import random
import signal
import subprocess
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg

from tests.support import ROOT, TENANT_ENV, python, scaled

KEYS = {
    "lampung": {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]},
    "kalsel": {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]},
}
TOKENS = {
    "lampung": TENANT_ENV["GATEWAY_LAMPUNG_NATIONAL_TOKEN"],
    "kalsel": TENANT_ENV["GATEWAY_KALSEL_NATIONAL_TOKEN"],
}


def chaos_seed() -> int:
    """``GATEWAY_CHAOS_SEED`` to replay a run's choices, else a new seed (printed)."""
    given = os.environ.get("GATEWAY_CHAOS_SEED")
    return int(given) if given else random.SystemRandom().randrange(2**32)


def sandbox_token_args() -> list[str]:
    """``--token TOKEN=ACCOUNT`` per tenant, so sandbox accounts are named by tenant."""
    args: list[str] = []
    for tenant, token in TOKENS.items():
        args += ["--token", f"{token}={tenant}"]
    return args


def complaint_body(tenant: str, i: int) -> dict[str, Any]:
    return {
        "source_ref": f"{tenant.upper()}-CHAOS-{i:05d}",
        "title": f"Drainase tersumbat nomor {i}",
        "content": f"Saluran drainase di gang {i} tersumbat sampah, air meluap saat hujan.",
        "reporter": {"name": f"Warga {i}", "phone": f"0812-2000-{i % 10000:04d}"},
    }


def post_all(
    gateway: str, bodies: Sequence[tuple[str, dict[str, Any]]], concurrency: int = 8
) -> list[httpx.Response | Exception]:
    """POST each ``(tenant, body)`` to the API channel, ``concurrency`` at a time."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    with httpx.Client(timeout=scaled(30), limits=limits) as http:

        def post(item: tuple[str, dict[str, Any]]) -> httpx.Response | Exception:
            tenant, body = item
            url = f"{gateway}/channels/api/{tenant}/complaints"
            try:
                return http.post(url, json=body, headers=KEYS[tenant])
            except httpx.HTTPError as exc:
                return exc

        with ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(post, bodies))


def plain_url(database_url: str) -> str:
    """The SQLAlchemy URL of a test database as libpq takes it."""
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def query(database_url: str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(plain_url(database_url), connect_timeout=5) as conn:
        return conn.execute(sql, params).fetchall()


def worker_env(database_url: str, national_url: str, extra: dict[str, str]) -> dict[str, str]:
    return {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_NATIONAL_URL": national_url,
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
        "GATEWAY_LOG_FORMAT": "json",
        **extra,
    }


class WorkerPool:
    """``gateway worker`` processes, each with its own id (``GATEWAY_WORKER_ID``) and log."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.killed: list[str] = []
        self._started = 0

    def start(self) -> str:
        self._started += 1
        worker_id = f"chaos-worker-{self._started}"
        with open(self.log_dir / f"{worker_id}.log", "wb") as log:
            self.running[worker_id] = subprocess.Popen(
                [python(), "-m", "gateway", "worker"],
                env={**os.environ, **self.env, "GATEWAY_WORKER_ID": worker_id},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        return worker_id

    def kill(self, worker_id: str) -> None:
        """SIGKILL: no shutdown, no lease released, requests cut off mid-flight."""
        proc = self.running.pop(worker_id)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=scaled(10))
        self.killed.append(worker_id)

    def exited(self) -> dict[str, int]:
        """Workers that stopped on their own (not killed here), with their exit codes."""
        return {w: p.returncode for w, p in self.running.items() if p.poll() is not None}

    def log(self, worker_id: str, tail: int = 3000) -> str:
        return (self.log_dir / f"{worker_id}.log").read_text(errors="replace")[-tail:]

    def close(self) -> None:
        for proc in self.running.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.running.values():
            try:
                proc.wait(timeout=scaled(15))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextmanager
def worker_pool(env: dict[str, str], log_dir: Path, size: int) -> Iterator[WorkerPool]:
    pool = WorkerPool(env, log_dir)
    try:
        for _ in range(size):
            pool.start()
        yield pool
    finally:
        pool.close()


# -- the PostgreSQL cluster of this machine ------------------------------------------


def postgres_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


def pg_cluster(action: str) -> subprocess.CompletedProcess[str]:
    """``pg_ctlcluster <version> main <action>`` (``stop`` is ``-m fast``)."""
    args = ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_version(), "main", action]
    if action == "stop":
        args += ["-m", "fast"]
    return subprocess.run(args, capture_output=True, text=True, timeout=scaled(60), check=False)
