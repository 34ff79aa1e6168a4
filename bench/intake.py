"""Intake throughput: ``POST /channels/api/lampung/complaints`` against an empty endpoint.

Serves, one after the other on loopback, each as its own uvicorn process with the
options ``gateway serve`` uses:

- ``empty``: a FastAPI app whose POST handler at the same path returns 202 and
  does nothing else (the ceiling of the HTTP stack on this machine);
- ``sqlite``: ``gateway serve --no-sync`` on a fresh SQLite file;
- ``postgres``: ``gateway serve --no-sync`` on a fresh PostgreSQL database;
- ``nostore`` (a reference, not a target): the gateway app as ``gateway serve``
  builds it, with the same middleware, authentication, validation and answer, but
  the intake writer replaced by one that stores nothing. The gap between it and
  ``empty`` is the HTTP work of an intake; the gap between it and ``sqlite`` /
  ``postgres`` is the cost of storing durably.

Each gets the same client, body and connection count: a warm-up, then a fixed
duration; every request has its own ``source_ref``, so every one stores a
complaint. Figures: requests/s, latency p50/p99, the ratio of requests/s to the
empty endpoint's in the same run (target >= 0.5), and the CPU each process used,
so the bottleneck shows (the client must stay well under one core).

    .venv/bin/python bench/intake.py                        # wrk if installed
    .venv/bin/python bench/intake.py --client python --seconds 5 --targets empty,sqlite
    .venv/bin/python bench/intake.py --client python --texts data/labelled/topics/test.jsonl
"""

from __future__ import annotations

import argparse
import sys
import uuid
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import common
from loadgen import PAYLOAD, have_wrk, run_python, run_wrk

from tests.support import child_process, free_port

PATH = "/channels/api/lampung/complaints"
NO_REGISTRY = "http://127.0.0.1:9"  # never called: --no-sync runs no dispatcher
TARGETS = ("empty", "nostore", "sqlite", "postgres")


def serve_empty(port: int) -> None:
    """The empty endpoint, served as ``gateway serve`` serves the gateway."""
    import uvicorn
    from fastapi import FastAPI, Response

    app = FastAPI()

    @app.post(PATH, status_code=202)
    async def empty() -> Response:
        return Response(status_code=202)

    uvicorn.run(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, proxy_headers=True
    )


def serve_nostore(port: int) -> None:
    """The gateway app as ``gateway serve --no-sync`` serves it, storing nothing."""
    import uvicorn

    from gateway import cli
    from gateway.api.app import create_app
    from gateway.storage import group_commit
    from gateway.storage.intake import IntakeItem, IntakeResult

    stored = IntakeResult("00000000-0000-4000-8000-000000000000", True, "received", None)

    async def record(_self: group_commit.IntakeWriter, _item: IntakeItem) -> IntakeResult:
        return stored

    group_commit.IntakeWriter.record = record  # type: ignore[method-assign]
    app = create_app(cli._container(), run_sync=False)
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, proxy_headers=True
    )


def count_rows(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from gateway.storage.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("complaint", "outbox_job")
            }
    finally:
        engine.dispose()


def measure(target: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    client = run_wrk if args.client == "wrk" else run_python
    log = workdir / f"{target}.log"
    stores = target in ("sqlite", "postgres")
    database = common.temp_database(target, workdir) if stores else nullcontext("")
    with database as db_url:
        if target == "empty":
            command = [common.PYTHON, __file__, "--serve-empty", str(port)]
            env, ready = {"PYTHONPATH": str(common.ROOT)}, url  # GET answers 405: it is up
        elif target == "nostore":
            command = [common.PYTHON, __file__, "--serve-nostore", str(port)]
            env = common.gateway_env("sqlite://", NO_REGISTRY)  # never queried
            ready = f"http://127.0.0.1:{port}/healthz"
        else:
            command = [common.PYTHON, "-m", "gateway", "serve", "--no-sync", "--port", str(port)]
            env = common.gateway_env(db_url, NO_REGISTRY)
            ready = f"http://127.0.0.1:{port}/healthz"
        with child_process(command, env, ready, log) as proc:
            options = {
                "key": common.API_KEYS["lampung"],
                "connections": args.connections,
                "workdir": workdir,
                "payload": {**PAYLOAD, "topic_id": 2} if args.given_topic else None,
                "texts": args.texts,
            }
            client(url, prefix=f"w{uuid.uuid4().hex[:6]}", seconds=args.warmup, **options)
            meter = common.CpuMeter({"server": proc.pid}, postgres=target == "postgres")
            meter.start()
            found = client(url, prefix=f"m{uuid.uuid4().hex[:6]}", seconds=args.seconds, **options)
            found["cores"] = meter.stop()
            found["cpu_ms_per_request"] = round(found["cores"]["server"] / found["rps"] * 1000, 3)
        if stores:
            found["rows"] = count_rows(db_url)
    return {"target": target, **found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default=",".join(TARGETS), help="empty,sqlite,postgres")
    parser.add_argument("--client", choices=("wrk", "python"), default=None)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured, per target")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--given-topic",
        action="store_true",
        help="the body carries topic_id: nothing is classified at intake (the cost of "
        "classifying is the difference from a run without it)",
    )
    parser.add_argument(
        "--texts",
        type=Path,
        metavar="FILE.jsonl",
        help="each request carries the next text of this file (its first line as the "
        "title) instead of the one fixed complaint: nothing read from a text is cached "
        "from the request before (Python client only)",
    )
    parser.add_argument("--serve-empty", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-nostore", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_empty:
        serve_empty(args.serve_empty)
        return
    if args.serve_nostore:
        serve_nostore(args.serve_nostore)
        return
    args.client = args.client or ("wrk" if have_wrk() and not args.texts else "python")
    if args.texts and args.client != "python":
        sys.exit("--texts needs --client python")
    if args.texts and not args.texts.is_file():
        sys.exit(f"{args.texts}: no such file")
    if args.texts:
        args.texts = args.texts.resolve()
    targets = [t for t in args.targets.split(",") if t]
    if "empty" not in targets:
        targets.insert(0, "empty")
    if unknown := set(targets) - set(TARGETS):
        sys.exit(f"unknown targets: {', '.join(sorted(unknown))}")
    print(f"intake: {common.machine()}; client {args.client}, {args.connections} connections, ")
    print(f"        {args.warmup:g} s warm-up + {args.seconds:g} s measured per target")
    if args.given_topic:
        print("        the body carries topic_id 2: nothing is classified at intake")
    if args.texts:
        print(f"        each request carries the next text of {args.texts}")
    results = []
    with common.temp_dir("bench-intake-") as workdir:
        for target in targets:
            results.append(measure(target, args, workdir))
            r = results[-1]
            print(
                f"  {target:9} {r['rps']:8.1f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                f"p99 {r['p99_ms']:7.2f} ms  errors {r['errors']}  cores {r['cores']}  "
                f"client {r['client_cores']} cores"
            )
    empty = next(r["rps"] for r in results if r["target"] == "empty")
    print()
    print(
        f"{'target':9} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>8} "
        f"{'CPU ms/req':>10} {'target':>7}"
    )
    summary: dict[str, Any] = {
        "client": args.client,
        "connections": args.connections,
        "given_topic": args.given_topic,
        "texts": str(args.texts) if args.texts else None,
    }
    for r in results:
        ratio = r["rps"] / empty
        reference = r["target"] in ("empty", "nostore")
        verdict = "" if reference else ("ok" if ratio >= 0.5 else "MISSED")
        print(
            f"{r['target']:9} {r['rps']:8.1f} {ratio:6.2f} {r['p50_ms']:7.2f} "
            f"{r['p99_ms']:8.2f} {r['cpu_ms_per_request']:10.3f} {verdict:>7}"
        )
        summary[r["target"]] = {
            "rps": r["rps"],
            "ratio": round(ratio, 3),
            "p50_ms": r["p50_ms"],
            "p99_ms": r["p99_ms"],
            "errors": r["errors"],
            "cores": r["cores"],
            "cpu_ms_per_request": r["cpu_ms_per_request"],
            "client_cores": r["client_cores"],
            **({"rows": r["rows"]} if "rows" in r else {}),
        }
    common.print_summary("intake", summary)


if __name__ == "__main__":
    main()
