"""CPU per operation, one thread, in process: what one intake and one submit job cost.

Explains the throughput figures of ``intake.py`` and ``drain.py``: a single
Python process does at most about 1000 / (CPU ms per operation) of them a second,
whatever its concurrency. Measures, after a warm-up, on a fresh database:

- intake: parsing the body into a draft, ``find_by_source`` (the duplicate check),
  ``record_complaint`` (the duplicate check plus the insert transaction);
- a submit job against a sandbox process (no added latency), in batches of 10 as
  the dispatcher does: ``outbox.claim`` (with the complaint), ``registry.submit``
  (the lean transport, and httpx's own for comparison), ``Recorder.write`` (tracking
  ID, history, notify job), then the notify job's claim and record;
- a change-feed event that changes nothing (the creation of a complaint we
  submitted): the puller's bulk check, and ``apply_change`` one event at a time.

    .venv/bin/python bench/costs.py
    .venv/bin/python bench/costs.py --db postgres --count 500
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import common
from drain import seed
from loadgen import PAYLOAD


def intake_costs(url: str, count: int) -> dict[str, float]:
    from adapters.api.parse import ComplaintIn, to_draft
    from gateway.storage.engine import make_engine, make_session_factory
    from gateway.storage.intake import find_by_source, record_complaint

    engine = make_engine(url)
    factory = make_session_factory(engine)
    raw = json.dumps(PAYLOAD)
    spent = {"parse": 0.0, "find_by_source": 0.0, "record_complaint": 0.0}
    try:
        for phase, n in (("warm", count // 4), ("run", count)):
            spent = dict.fromkeys(spent, 0.0)
            for i in range(n):
                a = time.process_time()
                body = ComplaintIn.model_validate({**PAYLOAD, "source_ref": f"{phase}-{i}"})
                draft = to_draft(body, "lampung", "18")
                b = time.process_time()
                find_by_source(factory, "lampung", "api", f"other-{phase}-{i}")
                c = time.process_time()
                record_complaint(factory, draft, raw, "application/json")
                d = time.process_time()
                spent["parse"] += b - a
                spent["find_by_source"] += c - b
                spent["record_complaint"] += d - c
    finally:
        engine.dispose()
    return {k: round(v / count * 1000, 3) for k, v in spent.items()}


async def job_costs(url: str, registry_url: str, count: int) -> dict[str, float]:
    """Per submission, in batches of 10 as the dispatcher does: claim the submit job,
    the registry request (lean transport, and httpx's default one for comparison),
    record the outcome (tracking ID, history, notify job), claim the notify job,
    record it."""
    from gateway.bootstrap import build_container, load_settings
    from gateway.national.client import HttpRegistryFactory
    from gateway.storage import outbox
    from gateway.sync.jobs import JobRunner, submission_of

    settings = load_settings(
        database_url=url, national_url=registry_url, mappings_dir=str(common.MAPPINGS)
    )
    container = build_container(settings, environ=common.TENANT_ENV, with_sandbox=False)
    recorder = container.dispatcher().recorder
    lean = container.registries.for_tenant("lampung")
    plain = HttpRegistryFactory(registry_url, {"lampung": common.TOKENS["lampung"]})
    spent: dict[str, float] = {}
    try:
        for phase, n in (("warm", count // 4), ("run", count)):
            spent = dict.fromkeys(
                ["claim", "http_submit", "http_submit_httpx", "record", "notify_claim"], 0.0
            )
            spent["notify_record"] = 0.0
            done = 0
            while done < n:
                a = time.process_time()
                jobs = outbox.claim(container.factory, "bench", 10, 60, tenants=["lampung"])
                spent["claim"] += time.process_time() - a
                if not jobs:
                    raise RuntimeError("the backlog ran out")
                finished = []
                for job in jobs:
                    assert job.complaint is not None
                    submission = replace(
                        submission_of(job.complaint), external_ref=f"LGW-bench-{phase}-{done}"
                    )
                    a = time.process_time()
                    receipt = await lean.submit(submission)
                    b = time.process_time()
                    other = replace(submission, external_ref=f"{submission.external_ref}-x")
                    await plain.for_tenant("lampung").submit(other)
                    c = time.process_time()
                    spent["http_submit"] += b - a
                    spent["http_submit_httpx"] += c - b
                    finished.append(JobRunner.done(job, receipt, 1.0))
                    done += 1
                a = time.process_time()
                recorder.write(finished)
                b = time.process_time()
                notify = outbox.claim(
                    container.factory, "bench", 10, 60, tenants=["lampung"], kinds=["notify"]
                )
                c = time.process_time()
                recorder.write([JobRunner.done(job, None, 1.0) for job in notify])
                d = time.process_time()
                spent["record"] += b - a
                spent["notify_claim"] += c - b
                spent["notify_record"] += d - c
    finally:
        await plain.aclose()
        await container.aclose()
    return {k: round(v / count * 1000, 3) for k, v in spent.items()}


def feed_costs(url: str, count: int) -> dict[str, float]:
    """Per change-feed event, in pages of 200: the creation event of a complaint we
    submitted (most of a busy feed), found redundant in bulk, and the same event
    through ``apply_change`` (one locked ORM look-up and a history check each)."""
    from sqlalchemy import select, update

    from gateway.calendar import IndonesianCalendar
    from gateway.domain.sla import SlaPolicy
    from gateway.ports import ChangeEvent
    from gateway.storage.complaints import apply_change, redundant
    from gateway.storage.engine import make_engine, make_session_factory, transaction
    from gateway.storage.intake import utcnow
    from gateway.storage.models import Complaint

    seed(url, ["lampung"], count)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with engine.begin() as conn:
        ids = list(conn.execute(select(Complaint.id)).scalars())
        for n, complaint_id in enumerate(ids):
            values = {"tracking_id": str(60_000_000 + n), "status": "submitted"}
            conn.execute(update(Complaint).where(Complaint.id == complaint_id).values(values))
    now, calendar, sla = utcnow(), IndonesianCalendar(), SlaPolicy()
    events = [
        ChangeEvent(str(60_000_000 + n), None, "belum_terverifikasi", None, now)
        for n in range(len(ids))
    ]
    spent = {"redundant": 0.0, "apply_change": 0.0}
    try:
        for start in range(0, len(events), 200):
            page = events[start : start + 200]
            with transaction(factory) as session:
                a = time.process_time()
                assert all(redundant(session, "lampung", page))
                b = time.process_time()
                for event in page:
                    apply_change(session, "lampung", event, calendar, sla)
                c = time.process_time()
            spent["redundant"] += b - a
            spent["apply_change"] += c - b
    finally:
        engine.dispose()
    return {k: round(v / len(events) * 1000, 3) for k, v in spent.items()}


def measure(db: str, count: int, workdir: Path) -> dict[str, Any]:
    with common.temp_database(db, workdir) as url:
        intake = intake_costs(url, count)
    with (
        common.temp_database(db, workdir) as url,
        common.sandbox(workdir, workdir / f"sandbox-{db}.db", 0) as (registry, _),
    ):
        seed(url, ["lampung"], count + count // 4 + 20)
        job = asyncio.run(job_costs(url, registry, count))
    with common.temp_database(db, workdir) as url:
        feed = feed_costs(url, count)
    return {"intake_ms": intake, "submit_job_ms": job, "feed_event_ms": feed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite,postgres")
    parser.add_argument("--count", type=int, default=1000, help="operations measured")
    args = parser.parse_args()
    sniffio = importlib.util.find_spec("sniffio") is not None
    print(f"costs: {common.machine()}; CPU ms per operation, one thread, {args.count} each")
    print(f"       sniffio installed: {sniffio} (httpcore imports it on every lock it makes)")
    summary: dict[str, Any] = {"count": args.count, "sniffio": sniffio}
    with common.temp_dir("bench-costs-") as workdir:
        for db in [d for d in args.db.split(",") if d]:
            found = summary[db] = measure(db, args.count, workdir)
            intake, job = found["intake_ms"], found["submit_job_ms"]
            insert = intake["record_complaint"] - intake["find_by_source"]
            print(f"  {db}:")
            print(
                f"    intake: parse {intake['parse']:.2f} + record_complaint "
                f"{intake['record_complaint']:.2f} (duplicate check {intake['find_by_source']:.2f}"
                f", insert transaction {insert:.2f}) = "
                f"{intake['parse'] + intake['record_complaint']:.2f} ms"
            )
            feed = found["feed_event_ms"]
            print(
                f"    change feed, per event: redundant (bulk check) {feed['redundant']:.3f}, "
                f"through apply_change {feed['apply_change']:.3f} ms"
            )
            database = sum(job[k] for k in ("claim", "record", "notify_claim", "notify_record"))
            print(
                f"    submit job: claim {job['claim']:.2f} + HTTP submit {job['http_submit']:.2f} "
                f"(httpx's own transport: {job['http_submit_httpx']:.2f}) + record "
                f"{job['record']:.2f}; its notify job: claim {job['notify_claim']:.2f} + record "
                f"{job['notify_record']:.2f}; database {database:.2f}, in all "
                f"{database + job['http_submit']:.2f} ms"
            )
    common.print_summary("costs", summary)


if __name__ == "__main__":
    main()
