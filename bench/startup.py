"""Start-up time of the ``gateway`` processes, from exec to ready (median of N runs).

- ``help``: ``gateway --help``, exec to exit (what every CLI command pays first);
- ``serve``: ``gateway serve`` on a migrated SQLite file with a national URL given
  (as the end-to-end tests run it), exec to ``/healthz`` answering 200;
- ``worker``: ``gateway worker`` on the same file, exec to its first heartbeat row.

Every run is a fresh interpreter (``python -m gateway``), one after the other, on an
otherwise idle machine; the figures are wall-clock seconds (median, min, max) and
the median CPU seconds the process used by then (less sensitive to a busy machine).

    .venv/bin/python bench/startup.py
    .venv/bin/python bench/startup.py --runs 9 --targets serve
    .venv/bin/python bench/startup.py --root /tmp/wt-old --root .   # before/after, alternated
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import common
import httpx

from tests.support import free_port

TARGETS = ("help", "serve", "worker")
NO_REGISTRY = "http://127.0.0.1:9"  # nothing answers: start-up does not call it
POLL = 0.01


def until(
    ready: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path, started: float
) -> tuple[float, float]:
    """Seconds from ``started`` (just before exec) until ``ready()`` (the process must not
    exit first), and the CPU seconds the process used by then."""
    while not ready():
        if proc.poll() is not None:
            raise SystemExit(f"exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        if time.perf_counter() - started > 120:
            raise SystemExit(f"not ready after 120 s:\n{log.read_text()[-2000:]}")
        time.sleep(POLL)
    return time.perf_counter() - started, common.cpu_seconds(proc.pid)


def run_help(env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [common.PYTHON, "-m", "gateway", "--help"],
        env=env,
        cwd=env["PYTHONPATH"],
        stdout=subprocess.DEVNULL,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def run_serve(env: dict[str, str], workdir: Path) -> tuple[float, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/healthz"
    log = workdir / f"serve-{port}.log"

    def healthy() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    args = [common.PYTHON, "-m", "gateway", "serve", "--port", str(port)]
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(args, env=env, cwd=env["PYTHONPATH"], stdout=out, stderr=out)
    try:
        return until(healthy, proc, log, started)
    finally:
        stop(proc)


def run_worker(env: dict[str, str], workdir: Path, db: Path) -> tuple[float, float]:
    log = workdir / "worker.log"
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM worker_heartbeat")

    def beating() -> bool:
        with sqlite3.connect(db) as conn:
            return bool(conn.execute("SELECT count(*) FROM worker_heartbeat").fetchone()[0])

    args = [common.PYTHON, "-m", "gateway", "worker"]
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(args, env=env, cwd=env["PYTHONPATH"], stdout=out, stderr=out)
    try:
        return until(beating, proc, log, started)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument(
        "--root",
        type=Path,
        action="append",
        help="a checkout to start (default: this one); given twice, runs alternate",
    )
    options = parser.parse_args()
    targets = [t for t in options.targets.split(",") if t]
    roots = [root.resolve() for root in options.root or [common.ROOT]]
    with common.temp_dir("gw-startup-") as workdir:
        db = workdir / "gateway.db"
        url = f"sqlite:///{db}"
        common.migrate(url)
        envs = {}
        for root in roots:
            env = {**os.environ, **common.gateway_env(url, NO_REGISTRY)}
            env["PYTHONPATH"] = str(root)
            env["GATEWAY_MAPPINGS_DIR"] = str(root / "mappings")
            envs[root] = env
            run_help(env)  # a first run fills the byte-code cache; not counted
        runners: dict[str, Callable[[dict[str, str]], tuple[float, float]]] = {
            "help": run_help,
            "serve": lambda env: run_serve(env, workdir),
            "worker": lambda env: run_worker(env, workdir, db),
        }
        found: dict[tuple[Path, str], list[tuple[float, float]]] = {}
        load = os.getloadavg()[0]
        for _ in range(options.runs):  # one run of each root in turn: the same machine state
            for target in targets:
                for root in roots:
                    found.setdefault((root, target), []).append(runners[target](envs[root]))
        print(f"{options.runs} runs each, alternated; load {load:.1f} -> {os.getloadavg()[0]:.1f}")
        for root in roots:
            print(f"{root}")
            print(f"  {'target':<8} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7}")
            for target in targets:
                runs = found[(root, target)]
                walls = sorted(wall for wall, _ in runs)
                cpu = statistics.median(cpu for _, cpu in runs)
                median = statistics.median(walls)
                print(
                    f"  {target:<8} {median:>9.2f} {walls[0]:>7.2f} {walls[-1]:>7.2f} {cpu:>7.2f}"
                )


if __name__ == "__main__":
    main()
