"""Drain rate: how fast ``gateway worker`` empties a backlog of submissions.

For each configuration ``TENANTS:CONCURRENCY:RATE`` (per-tenant concurrency and
rate limit, 0 = no limit): a fresh gateway database with ``--complaints``
complaints and their submit jobs written straight into it (split evenly over the
tenants), a fresh sandbox registry (``--latency-ms 50 --step-seconds 0``, no
faults), then ``gateway worker`` with ``GATEWAY_DISPATCH_CONCURRENCY`` and
``GATEWAY_DISPATCH_RATE``. The drain rate is read from the database: complaints
that got a tracking ID per second, from the first to the last (each one's
``updated_at``, set when the gateway recorded it), and over the middle 80 %
(steady state). Reported as a ratio to the bound ``sum over tenants of
min(rate, concurrency / latency)``: target >= 0.9; clearly above 1.0 means a
limit was not respected.

Before the worker starts, the sandbox is probed alone with wrk (on an account of its
own): with 40 requests in flight, to show whether it could go faster than the bound,
and with as many in flight as the configuration allows (``tenants x concurrency``):
what a client with no overhead at all gets from this sandbox at that concurrency.
The sandbox's own work per request (parsing, its SQLite write, on one event loop)
comes on top of ``--latency-ms``, so that ceiling lies below the bound; the drain
rate is also given as a ratio to it (``ratio_to_sandbox``).

    .venv/bin/python bench/drain.py
    .venv/bin/python bench/drain.py --configs 1:10:0 --complaints 2000 --db postgres
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
from loadgen import PAYLOAD
from sqlalchemy import Engine, create_engine, func, insert, select

TENANTS = ("lampung", "kalsel")
REGIONS = {"lampung": "18.71", "kalsel": "63.71"}
DEFAULT_CONFIGS = "1:10:0,1:20:100,2:5:0,2:10:50"


@dataclass(frozen=True)
class Config:
    tenants: int
    concurrency: int
    rate: float

    @classmethod
    def parse(cls, text: str) -> Config:
        tenants, concurrency, rate = text.split(":")
        config = cls(int(tenants), int(concurrency), float(rate))
        if not 1 <= config.tenants <= len(TENANTS):
            raise ValueError(f"{text}: 1 or 2 tenants")
        return config

    def bound(self, latency_s: float) -> float:
        per_tenant = self.concurrency / latency_s
        if self.rate > 0:
            per_tenant = min(per_tenant, self.rate)
        return per_tenant * self.tenants

    def __str__(self) -> str:
        rate = f"rate {self.rate:g}/s" if self.rate else "no rate limit"
        return f"{self.tenants} tenant(s) x (concurrency {self.concurrency}, {rate})"


# -- the backlog and what the database says ------------------------------------------------


def seed(url: str, tenants: list[str], total: int) -> float:
    """``total`` complaints and their submit jobs as intake writes them (without the
    raw inbound message and the first history row, which draining never reads)."""
    from adapters.api.parse import ComplaintIn, to_draft
    from gateway.storage.engine import make_engine
    from gateway.storage.intake import complaint_from_draft, new_id, new_job, utcnow
    from gateway.storage.models import Complaint, OutboxJob

    started = time.perf_counter()
    drafts = {
        t: to_draft(ComplaintIn.model_validate({**PAYLOAD, "region_code": REGIONS[t]}), t, "18")
        for t in tenants
    }
    complaints, jobs = [], []
    for i in range(total):
        tenant = tenants[i % len(tenants)]
        now, complaint_id = utcnow(), new_id()
        row = complaint_from_draft(drafts[tenant], complaint_id, None, now).model_dump()
        row["source_ref"] = f"drain-{i}"
        complaints.append(row)
        job = new_job("submit", tenant, complaint_id, {}, now).model_dump()
        job.pop("id")
        jobs.append(job)
    engine = make_engine(url)
    try:
        for start in range(0, total, 2000):
            with engine.begin() as conn:
                conn.execute(insert(Complaint), complaints[start : start + 2000])
                conn.execute(insert(OutboxJob), jobs[start : start + 2000])
    finally:
        engine.dispose()
    return time.perf_counter() - started


def reader(url: str) -> Engine:
    """A plain engine for polling: no ``BEGIN IMMEDIATE``, so it never blocks the worker."""
    from gateway.storage.engine import normalise_url

    return create_engine(normalise_url(url))


def _epoch(at: datetime | str) -> float:
    value = datetime.fromisoformat(at) if isinstance(at, str) else at
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def submitted_times(engine: Engine) -> dict[str, list[float]]:
    """Per tenant, the sorted moments (epoch seconds) complaints got their tracking ID."""
    from gateway.storage.models import Complaint

    query = select(Complaint.tenant, Complaint.updated_at).where(
        Complaint.tracking_id.is_not(None)  # type: ignore[union-attr]
    )
    found: dict[str, list[float]] = {}
    with engine.connect() as conn:
        for tenant, at in conn.execute(query):
            found.setdefault(tenant, []).append(_epoch(at))
    return {t: sorted(v) for t, v in found.items()}


def count_submitted(engine: Engine) -> int:
    from gateway.storage.models import Complaint

    query = select(func.count()).where(Complaint.tracking_id.is_not(None))  # type: ignore[union-attr]
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def job_states(engine: Engine) -> dict[str, int]:
    from gateway.storage.models import OutboxJob

    kind, state = OutboxJob.kind, OutboxJob.state
    query = select(kind, state, func.count()).group_by(kind, state)
    with engine.connect() as conn:
        return {f"{k}:{s}": n for k, s, n in conn.execute(query)}


def job_durations(logs: list[Path]) -> dict[str, float]:
    """The submit jobs' durations from the worker's "job attempt" log lines: the
    registry request (``request_ms``: a lane slot is held that long, so by Little's
    law a lane does at most ``concurrency / mean`` submissions per second) and the
    whole job, claim to recorded (``latency_ms``)."""
    requests, whole = [], []
    lines = [line for log in logs for line in log.read_text(errors="replace").splitlines()]
    for line in lines:
        if '"job attempt"' not in line or '"submit"' not in line:
            continue
        with contextlib.suppress(ValueError, KeyError, TypeError):
            entry = json.loads(line)
            whole.append(float(entry["latency_ms"]))
            requests.append(float(entry.get("request_ms", entry["latency_ms"])))
    if not requests:
        return {}
    requests.sort()
    whole.sort()
    return {
        "mean_ms": round(sum(requests) / len(requests), 1),
        "p50_ms": round(requests[len(requests) // 2], 1),
        "p99_ms": round(common.percentile(requests, 99), 1),
        "job_mean_ms": round(sum(whole) / len(whole), 1),
        "job_p99_ms": round(common.percentile(whole, 99), 1),
    }


def rates(times: list[float]) -> tuple[float, float]:
    """Complaints per second (first to last, middle 80 %)."""
    n = len(times)
    if n < 10:
        return math.nan, math.nan
    whole = (n - 1) / max(times[-1] - times[0], 1e-9)
    lo, hi = int(n * 0.1), int(n * 0.9)
    return whole, (hi - lo) / max(times[hi] - times[lo], 1e-9)


# -- processes ---------------------------------------------------------------------------------


@contextmanager
def workers(
    db_url: str, registry: str, config: Config, args: argparse.Namespace, workdir: Path
) -> Iterator[list[tuple[subprocess.Popen[bytes], Path]]]:
    """``args.workers`` ``gateway worker`` processes sharing the database."""
    env = common.gateway_env(
        db_url,
        registry,
        GATEWAY_DISPATCH_CONCURRENCY=str(config.concurrency),
        GATEWAY_DISPATCH_RATE=f"{config.rate:g}",
    )
    if args.pull_interval is not None:
        env["GATEWAY_PULL_INTERVAL"] = f"{args.pull_interval:g}"
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for n in range(args.workers):
            log = workdir / f"worker-{time.monotonic_ns()}-{n}.log"
            with open(log, "wb") as out:
                proc = subprocess.Popen(
                    [common.PYTHON, "-m", "gateway", "worker"],
                    env={**os.environ, **env, "GATEWAY_WORKER_ID": f"bench-drain-{n}"},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=common.ROOT,
                )
            started.append((proc, log))
        yield started
    finally:
        for proc, _ in started:
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in started:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# -- one configuration ------------------------------------------------------------------------


def run(config: Config, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    tenants = list(TENANTS[: config.tenants])
    latency_s = args.latency_ms / 1000
    bound = config.bound(latency_s)
    result: dict[str, Any] = {"config": str(config), "bound": round(bound, 1)}
    sandbox_db = workdir / f"sandbox-{uuid.uuid4().hex[:8]}.db"
    with (
        common.temp_database(args.db, workdir) as db_url,
        common.sandbox(workdir, sandbox_db, args.latency_ms) as (registry, sandbox_pid),
    ):
        result["seed_s"] = round(seed(db_url, tenants, args.complaints), 1)
        if args.probe:
            result["sandbox_probe"] = common.probe_sandbox(registry, workdir, args.probe)
            in_flight = config.tenants * config.concurrency
            ceiling = common.probe_sandbox(registry, workdir, args.probe, in_flight)
            if "rps" in ceiling:
                result["sandbox_ceiling"] = ceiling
        engine = reader(db_url)
        before = common.sandbox_requests(registry)
        deadline = time.monotonic() + 60 + 3 * args.complaints / bound
        with workers(db_url, registry, config, args, workdir) as running:
            pids = {f"worker{n}": proc.pid for n, (proc, _) in enumerate(running)}
            meter = common.CpuMeter(
                {**pids, "sandbox": sandbox_pid}, postgres=args.db == "postgres"
            )
            meter.start()
            done, last_report = 0, time.monotonic()
            while done < args.complaints and time.monotonic() < deadline:
                for proc, log in running:
                    if proc.poll() is not None:
                        raise RuntimeError(f"worker exited:\n{log.read_text()[-3000:]}")
                time.sleep(0.25)
                done = count_submitted(engine)
                if time.monotonic() - last_report >= 10:
                    print(f"    {done} / {args.complaints} submitted")
                    last_report = time.monotonic()
            result["cores"] = meter.stop()
            time.sleep(1)  # the notify jobs of the last submissions
            result["jobs"] = job_states(engine)
        result["submit_job"] = job_durations([log for _, log in running])
        result["registry_requests"] = common.sandbox_requests(registry) - before
        times = submitted_times(engine)
        engine.dispose()
    every = sorted(t for ts in times.values() for t in ts)
    whole, middle = rates(every)
    result |= {
        "submitted": len(every),
        "complete": len(every) == args.complaints,
        # not submissions: change-feed pages of the puller (and look-ups, retries)
        "other_requests": result["registry_requests"] - len(every),
        "rate": round(whole, 1),
        "rate_middle": round(middle, 1),
        "ratio": round(whole / bound, 3),
        "ratio_middle": round(middle / bound, 3),
        "per_tenant": {t: round(rates(ts)[0], 1) for t, ts in sorted(times.items())},
    }
    if ceiling := result.get("sandbox_ceiling"):
        # what this sandbox serves at the configuration's concurrency, to a client
        # with no overhead (or the rate limit, when that is lower)
        reachable = ceiling["rps"] if not config.rate else min(ceiling["rps"], bound)
        result["ratio_to_sandbox"] = round(whole / reachable, 3)
    if mean := result["submit_job"].get("mean_ms"):
        slots = config.tenants * config.concurrency  # shared by the workers
        result["little_bound"] = round(slots / (mean / 1000), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default=DEFAULT_CONFIGS, help="TENANTS:CONCURRENCY:RATE,…")
    parser.add_argument("--complaints", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--probe", type=float, default=3.0, help="probe seconds; 0 = no probe")
    parser.add_argument("--pull-interval", type=float, default=None, help="default: settings")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    args = parser.parse_args()
    configs = [Config.parse(c) for c in args.configs.split(",") if c]
    print(f"drain: {common.machine()}; {args.complaints} complaints on {args.db}, ")
    print(f"       {args.workers} gateway worker process(es)")
    print(f"       sandbox --latency-ms {args.latency_ms:g} --step-seconds 0, no faults")
    results = []
    with common.temp_dir("bench-drain-") as workdir:
        for config in configs:
            print(f"  {config}: bound {config.bound(args.latency_ms / 1000):.0f}/s")
            results.append(run(config, args, workdir))
            r = results[-1]
            print(
                f"    {r['submitted']} submitted: {r['rate']}/s first to last "
                f"(ratio {r['ratio']}), {r['rate_middle']}/s middle 80 % "
                f"(ratio {r['ratio_middle']}); per tenant {r['per_tenant']}"
            )
            print(
                f"    registry requests {r['registry_requests']} ({r['other_requests']} not "
                f"submissions), cores {r['cores']}, "
                f"sandbox probe {r.get('sandbox_probe')}, at the configuration's "
                f"concurrency {r.get('sandbox_ceiling')} (ratio to it "
                f"{r.get('ratio_to_sandbox')}), jobs {r['jobs']}"
            )
            print(
                f"    submit request (slot) and job durations {r['submit_job']} -> slots / mean "
                f"request = {r.get('little_bound')}/s"
            )
    print()
    print(
        f"{'configuration':52} {'bound':>6} {'rate':>7} {'ratio':>6} {'middle':>7} {'ratio':>6}"
        f" {'sandbox':>8} {'ratio':>6}"
    )
    for r in results:
        verdict = "ok" if 0.9 <= r["ratio"] <= 1.05 else ("OVER" if r["ratio"] > 1.05 else "MISSED")
        ceiling = r.get("sandbox_ceiling", {}).get("rps", math.nan)
        print(
            f"{r['config']:52} {r['bound']:6.0f} {r['rate']:7.1f} {r['ratio']:6.2f} "
            f"{r['rate_middle']:7.1f} {r['ratio_middle']:6.2f} {ceiling:8.1f} "
            f"{r.get('ratio_to_sandbox', math.nan):6.2f}  {verdict}"
        )
    print(
        "sandbox: what wrk gets from the sandbox alone with tenants x concurrency in flight; "
        "its ratio: the drain rate to that (or to the rate limit when lower)"
    )
    common.print_summary(
        "drain",
        {
            "db": args.db,
            "complaints": args.complaints,
            "latency_ms": args.latency_ms,
            "workers": args.workers,
            "runs": results,
        },
    )


if __name__ == "__main__":
    main()
