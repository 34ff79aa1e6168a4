"""Status sweep: one pass of the status puller over many open complaints.

Seeds ``--complaints`` open complaints (submitted, with tracking IDs) of tenant
``lampung`` into both the gateway database and the sandbox registry's own store
(the same tracking IDs and ``external_ref``; the sandbox account is the tenant's
name, mapped from its token), with the gateway's feed cursor already at the end
of the creation events, as a gateway that has been following the feed would be.
Then, for each share of changes (``--changes``, in percent), moves that many
complaints one step in the sandbox (``POST /_sandbox/advance``, one event each)
and runs ONE sweep: ``StatusPuller.run_once()`` from ``build_container`` against
the sandbox process. Figures: registry requests (the sandbox's own count), pages,
seconds, complaints updated. The requests must follow the changes, not the open
complaints, exactly: the puller reads full pages until one comes back shorter than
``page_size`` (possibly empty), so ``floor(changes / page_size) + 1`` requests for
the tenant (= ``ceil((changes + 1) / page_size)``: 1,000 changes in pages of 200 are
5 full pages and an empty one), plus one empty page for each other tenant.

    .venv/bin/python bench/sweep.py
    .venv/bin/python bench/sweep.py --complaints 20000 --changes 0,1,5 --db postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import common
import httpx
from loadgen import PAYLOAD
from sqlalchemy import func, insert, select

TENANT = "lampung"
FIRST_TRACKING_NO = 20_000_000


def seed_gateway(url: str, total: int) -> list[tuple[str, str]]:
    """``total`` submitted complaints; their ``(tracking_id, external_ref)``."""
    from adapters.api.parse import ComplaintIn, to_draft
    from gateway.storage.engine import make_engine
    from gateway.storage.intake import complaint_from_draft, new_id, utcnow
    from gateway.storage.models import Complaint

    draft = to_draft(ComplaintIn.model_validate(PAYLOAD), TENANT, "18")
    now = utcnow()
    rows, refs = [], []
    for i in range(total):
        row = complaint_from_draft(draft, new_id(), None, now).model_dump()
        tracking_id = str(FIRST_TRACKING_NO + i)
        row |= {
            "source_ref": f"sweep-{i}",
            "status": "submitted",
            "national_status": "belum_terverifikasi",
            "tracking_id": tracking_id,
            "submitted_at": now,
        }
        rows.append(row)
        refs.append((tracking_id, row["external_ref"]))
    engine = make_engine(url)
    try:
        for start in range(0, total, 5000):
            with engine.begin() as conn:
                conn.execute(insert(Complaint), rows[start : start + 5000])
    finally:
        engine.dispose()
    return refs


def seed_sandbox(path: Path, refs: list[tuple[str, str]]) -> int:
    """The same complaints in the sandbox's store, each with its creation event;
    the id of the last event (where the gateway's cursor stands)."""
    from gateway.sandbox.records import iso
    from gateway.sandbox.store import Store

    Store(str(path)).close()  # creates the schema
    at = iso(time.time())
    payload = json.dumps({"title": PAYLOAD["title"], "classification": "pengaduan"})
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO complaints (id, tracking_no, account, external_ref, status, "
            "region_code, created_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (i + 1, int(tracking_id), TENANT, ref, "belum_terverifikasi", "18.71", at, payload)
                for i, (tracking_id, ref) in enumerate(refs)
            ),
        )
        db.executemany(
            "INSERT INTO events (id, complaint_id, account, status, at) VALUES (?, ?, ?, ?, ?)",
            ((i + 1, i + 1, TENANT, "belum_terverifikasi", at) for i in range(len(refs))),
        )
    return len(refs)


def set_cursor(url: str, last_event: int) -> None:
    from gateway.sandbox.records import encode_cursor
    from gateway.storage.engine import make_engine
    from gateway.storage.intake import utcnow
    from gateway.storage.models import FeedCursor

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            row = {"cursor": encode_cursor(last_event), "events_applied": last_event}
            conn.execute(insert(FeedCursor), [{"tenant": TENANT, **row, "updated_at": utcnow()}])
    finally:
        engine.dispose()


def count_by_status(url: str) -> dict[str, int]:
    from gateway.storage.engine import make_engine
    from gateway.storage.models import Complaint

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            query = select(Complaint.status, func.count()).group_by(Complaint.status)
            return {status: n for status, n in conn.execute(query)}
    finally:
        engine.dispose()


async def sweeps(
    db_url: str, registry: str, refs: list[tuple[str, str]], shares: list[float], seed: int
) -> list[dict[str, Any]]:
    from gateway.bootstrap import build_container, load_settings

    settings = load_settings(
        database_url=db_url, national_url=registry, mappings_dir=str(common.MAPPINGS)
    )
    container = build_container(settings, environ=common.TENANT_ENV, with_sandbox=False)
    puller = container.puller()
    page_size = settings.pull_page_size
    others = len([t for t in container.tenants if t != TENANT])
    untouched = [tracking_id for tracking_id, _ in refs]
    random.Random(seed).shuffle(untouched)
    results = []
    token = {"Authorization": f"Bearer {common.SANDBOX_ADMIN_TOKEN}"}
    with httpx.Client(base_url=registry, headers=token, timeout=30) as admin:
        try:
            for share in shares:
                changes = round(len(refs) * share / 100)
                picked, untouched = untouched[:changes], untouched[changes:]
                for tracking_id in picked:
                    admin.post("/_sandbox/advance", json={"tracking_id": tracking_id})
                before = admin.get("/_sandbox/stats").json()["requests"]
                started = time.perf_counter()
                stats = await puller.run_once()
                seconds = time.perf_counter() - started
                requests = admin.get("/_sandbox/stats").json()["requests"] - before
                # full pages, then the short (or empty) one that ends the sweep
                expected = changes // page_size + 1 + others
                results.append(
                    {
                        "share_pct": share,
                        "changes": changes,
                        "events": stats.events,
                        "updated": stats.outcomes.get("applied", 0),
                        "outcomes": stats.outcomes,
                        "errors": stats.errors,
                        "pages": stats.pages,
                        "requests": requests,
                        "expected_requests": expected,
                        "proportional": requests == expected,
                        "seconds": round(seconds, 2),
                    }
                )
        finally:
            await container.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=100_000)
    parser.add_argument("--changes", default="1,0.1,0", help="percentages, one sweep each")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    shares = [float(s) for s in args.changes.split(",") if s]
    print(f"sweep: {common.machine()}; {args.complaints} open complaints on {args.db}, ")
    print(f"       sandbox --latency-ms {args.latency_ms:g} --step-seconds 0")
    with common.temp_dir("bench-sweep-") as workdir, common.temp_database(args.db, workdir) as url:
        started = time.perf_counter()
        refs = seed_gateway(url, args.complaints)
        last_event = seed_sandbox(workdir / "sandbox.db", refs)
        set_cursor(url, last_event)
        print(f"  seeded both stores in {time.perf_counter() - started:.1f} s")
        with common.sandbox(workdir, workdir / "sandbox.db", args.latency_ms) as (registry, _):
            results = asyncio.run(sweeps(url, registry, refs, shares, args.seed))
        statuses = count_by_status(url)
    print()
    print(
        f"{'changed':>8} {'events':>7} {'updated':>8} {'requests':>9} {'expected':>9} "
        f"{'pages':>6} {'seconds':>8}  proportional"
    )
    for r in results:
        print(
            f"{r['changes']:8} {r['events']:7} {r['updated']:8} {r['requests']:9} "
            f"{r['expected_requests']:9} {r['pages']:6} {r['seconds']:8.2f}  "
            f"{'yes' if r['proportional'] else 'NO'}"
        )
    print(f"gateway complaints by status afterwards: {statuses}")
    common.print_summary(
        "sweep",
        {
            "db": args.db,
            "open": args.complaints,
            "latency_ms": args.latency_ms,
            "sweeps": results,
            "statuses": statuses,
        },
    )
    if not all(r["proportional"] and r["updated"] == r["changes"] for r in results):
        raise SystemExit("a sweep made more requests than its changes need, or missed changes")


if __name__ == "__main__":
    main()
