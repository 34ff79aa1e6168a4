"""Shared pieces of the benchmarks: the repository on ``sys.path``, temporary
databases, child processes, CPU accounting and the figures they print.

Import it first (``import common``) in a script under ``bench/``: it puts the
repository root on ``sys.path`` so that ``gateway``, ``adapters`` and
``tests.support`` import when a script is run as ``.venv/bin/python bench/x.py``.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
MAPPINGS = ROOT / "mappings"
POSTGRES_ADMIN_URL = os.environ.get(
    "GATEWAY_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)

# the sample tenants' secrets (values are the benchmark's own, not placeholders)
TOKENS = {
    "lampung": "bench-token-lampung-000000000001",
    "kalsel": "bench-token-kalsel-0000000000001",
    "sumbar": "bench-token-sumbar-0000000000001",
    "sulbar": "bench-token-sulbar-0000000000001",
    "sijunjung": "bench-token-sijunjung-00000000001",
}
API_KEYS = {
    "lampung": "bench-key-lampung-0000000000001",
    "kalsel": "bench-key-kalsel-00000000000001",
    "sumbar": "bench-key-sumbar-00000000000001",
    "sulbar": "bench-key-sulbar-00000000000001",
    "sijunjung": "bench-key-sijunjung-000000000001",
}
#: the channels' own secrets (bot tokens, webhook secrets): the tests' values
CHANNEL_SECRETS = {
    "GATEWAY_KALSEL_LAPORPAMAN_WEBHOOK_SECRET": "bench-hook-kalsel-000000000001",
    "GATEWAY_SUMBAR_TELEGRAM_BOT_TOKEN": "123456:bench-bot-token-sumbar-01",
    "GATEWAY_SUMBAR_TELEGRAM_WEBHOOK_SECRET": "bench-hook-sumbar-000000000001",
    "GATEWAY_SUMBAR_WHATSAPP_PHONE_NUMBER_ID": "bench-sumbar-wa-phone-id",
    "GATEWAY_SUMBAR_WHATSAPP_ACCESS_TOKEN": "bench-sumbar-wa-token",
    "GATEWAY_SUMBAR_WHATSAPP_APP_SECRET": "bench-sumbar-wa-app-secret",
    "GATEWAY_SUMBAR_WHATSAPP_VERIFY_TOKEN": "bench-sumbar-wa-verify",
    "GATEWAY_SULBAR_WEBFORM_WEBHOOK_SECRET": "bench-hook-sulbar-000000000001",
    "GATEWAY_SUMBAR_KANNEL_KEY": "bench-kannel-key-sumbar-000001",
    "GATEWAY_SUMBAR_KANNEL_PASSWORD": "bench-kannel-pass-sumbar-00001",
    "GATEWAY_SULBAR_SMS_SECRET": "bench-sms-secret-sulbar-000001",
    "GATEWAY_KALSEL_LAPORPAMAN_DB_URL": "sqlite://",
}
TENANT_ENV = {
    **CHANNEL_SECRETS,
    **{f"GATEWAY_{t.upper()}_NATIONAL_TOKEN": v for t, v in TOKENS.items()},
    **{f"GATEWAY_{t.upper()}_API_KEY": v for t, v in API_KEYS.items()},
}


def gateway_env(database_url: str, national_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a ``gateway`` child process (JSON logs to its log file)."""
    env = {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_MAPPINGS_DIR": str(MAPPINGS),
        "GATEWAY_LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    if national_url is not None:
        env["GATEWAY_NATIONAL_URL"] = national_url
    return env


def sandbox_token_args(tenants: Sequence[str] = tuple(TOKENS)) -> list[str]:
    """``--token TOKEN=ACCOUNT`` for each tenant: the sandbox account is the tenant id."""
    args: list[str] = []
    for tenant in tenants:
        args += ["--token", f"{TOKENS[tenant]}={tenant}"]
    return args


# -- databases ----------------------------------------------------------------------


@contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


@contextmanager
def temp_database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh, migrated gateway database: ``sqlite`` (a file in ``workdir``) or
    ``postgres`` (a new database on the local server, dropped afterwards)."""
    if kind == "sqlite":
        url = f"sqlite:///{workdir / f'gateway-{uuid.uuid4().hex[:8]}.db'}"
        migrate(url)
        yield url
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind {kind!r}")
    import psycopg

    from tests.support import ensure_postgres

    if "GATEWAY_BENCH_POSTGRES_URL" not in os.environ:
        ensure_postgres()
    name = f"gw_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = POSTGRES_ADMIN_URL.rpartition("/")
    url = f"{base}/{name}"
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    from gateway.migrations import upgrade
    from gateway.storage.engine import make_engine

    engine = make_engine(url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


# -- processes and CPU ----------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (all its threads) so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def cpu_seconds_of(command_name: str) -> float:
    """CPU seconds of every process whose name is ``command_name`` (e.g. postgres)."""
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                text = f.read()
        except OSError:
            continue
        name = text[text.find("(") + 1 : text.rfind(")")]
        if name == command_name:
            fields = text.rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle (summed over cores)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / _TICK


class CpuMeter:
    """CPU used by named processes between :meth:`start` and :meth:`stop`, in cores."""

    def __init__(self, pids: dict[str, int], *, postgres: bool = False) -> None:
        self.pids = pids
        self.postgres = postgres
        self._before: dict[str, float] = {}
        self._t0 = 0.0

    def _sample(self) -> dict[str, float]:
        found = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        if self.postgres:
            found["postgres"] = cpu_seconds_of("postgres")
        found["machine"] = machine_busy_seconds()
        return found

    def start(self) -> None:
        self._before = self._sample()
        self._t0 = time.monotonic()

    def stop(self) -> dict[str, float]:
        after, wall = self._sample(), time.monotonic() - self._t0
        return {k: round((after[k] - self._before[k]) / wall, 2) for k in after}


# -- the sandbox registry ---------------------------------------------------------------

PROBE_TOKEN = "bench-probe-token-000000000001"
#: the sandbox's admin token (GATEWAY_SANDBOX_ADMIN_TOKEN), for /_sandbox/stats
SANDBOX_ADMIN_TOKEN = "bench-sandbox-admin-token-000000000001"


@contextmanager
def sandbox(workdir: Path, db: Path, latency_ms: float) -> Iterator[tuple[str, int]]:
    """``gateway sandbox`` on a free loopback port: workflow clock stopped
    (``--step-seconds 0``), ``latency_ms`` on every request, no faults. Accounts: one
    per tenant (named after it) and ``probe``. Yields its URL and process id."""
    from tests.support import child_process, free_port

    port = free_port()
    args = [PYTHON, "-m", "gateway.sandbox.cli", "--port", str(port), "--db", str(db)]
    args += ["--step-seconds", "0", "--latency-ms", f"{latency_ms:g}", "--log-level", "warning"]
    args += [*sandbox_token_args(), "--token", f"{PROBE_TOKEN}=probe"]
    url = f"http://127.0.0.1:{port}"
    log = workdir / f"sandbox-{port}.log"
    env = {"PYTHONPATH": str(ROOT), "GATEWAY_SANDBOX_ADMIN_TOKEN": SANDBOX_ADMIN_TOKEN}
    with child_process(args, env, f"{url}/_sandbox/health", log, 60) as p:
        yield url, p.pid


def sandbox_requests(url: str) -> int:
    """Requests the sandbox has served on its ``/api/v1`` contract so far."""
    import httpx

    admin = {"Authorization": f"Bearer {SANDBOX_ADMIN_TOKEN}"}
    stats = httpx.get(f"{url}/_sandbox/stats", headers=admin, timeout=10).json()
    return int(stats["requests"])


def probe_sandbox(url: str, workdir: Path, seconds: float, in_flight: int = 40) -> dict[str, Any]:
    """The sandbox alone: a sequential round trip, then (with wrk) ``in_flight``
    submissions at a time for ``seconds`` on the ``probe`` account, so tenants'
    feeds stay clean. What the sandbox could take at its latency."""
    import httpx
    from loadgen import PAYLOAD, REF, have_wrk, run_wrk

    rtts = []
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {PROBE_TOKEN}"}) as client:
        for i in range(20):
            started = time.perf_counter()
            client.get("/api/v1/complaints", params={"external_ref": f"no-{i}"}).raise_for_status()
            rtts.append(time.perf_counter() - started)
    rtts.sort()
    found: dict[str, Any] = {"rtt_p50_ms": round(rtts[len(rtts) // 2] * 1000, 1)}
    if not have_wrk():
        return found
    body = {k: v for k, v in PAYLOAD.items() if k in ("title", "content", "region_code")}
    result = run_wrk(
        f"{url}/api/v1/complaints",
        key="",
        prefix=f"probe{time.monotonic_ns()}",
        connections=in_flight,
        seconds=seconds,
        workdir=workdir,
        payload={"external_ref": REF, **body},
        auth=("Authorization", f"Bearer {PROBE_TOKEN}"),
    )
    return found | {"in_flight": in_flight, "rps": result["rps"], "errors": result["errors"]}


# -- figures ---------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], p: float) -> float:
    if not sorted_values:
        return math.nan
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k]


def load_average() -> float:
    """The machine's 1-minute load average: other work running beside a benchmark."""
    return os.getloadavg()[0]


def machine() -> str:
    cores, python = os.cpu_count(), platform.python_version()
    return f"{platform.node()}, {cores} cores, Python {python}, load {load_average():.2f}"


def print_summary(name: str, figures: dict[str, Any]) -> None:
    """The one-line JSON summary every script ends with (with the load at the end)."""
    summary = {"bench": name, **figures, "load_at_end": round(load_average(), 2)}
    print(json.dumps(summary, default=str, separators=(",", ":")))
