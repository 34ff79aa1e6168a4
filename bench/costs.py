"""CPU per operation, one thread, in process: what one intake and one submit job cost.

Explains the throughput figures of ``intake.py`` and ``drain.py``: a single
Python process does at most about 1000 / (CPU ms per operation) of them a second,
whatever its concurrency. Measures, after a warm-up, on a fresh database:

- intake: parsing the body into a draft, ``find_by_source`` (the duplicate check),
  ``record_complaint`` (the duplicate check plus the insert transaction);
- a submit job against a sandbox process (no added latency): ``outbox.claim``
  per job, ``registry.submit`` alone (the HTTP client), and ``JobRunner.run``
  (load the complaint, submit, record the tracking ID and the notify job).

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
    from gateway.bootstrap import build_container, load_settings
    from gateway.storage import outbox
    from gateway.storage.models import Complaint
    from gateway.sync.jobs import Ambiguity, submission_of

    settings = load_settings(
        database_url=url, national_url=registry_url, mappings_dir=str(common.MAPPINGS)
    )
    container = build_container(settings, environ=common.TENANT_ENV, with_sandbox=False)
    runner = container.dispatcher().runner
    registry = container.registries.for_tenant("lampung")
    spent = {"claim": 0.0, "http_submit": 0.0, "job_run": 0.0}
    with container.factory() as session:
        sample = session.query(Complaint).first()
        assert sample is not None
        base = submission_of(sample)
    try:
        for phase, n in (("warm", count // 4), ("run", count)):
            spent = dict.fromkeys(spent, 0.0)
            done = 0
            while done < n:
                a = time.process_time()
                jobs = outbox.claim(container.factory, "bench", 10, 60, tenants=["lampung"])
                spent["claim"] += time.process_time() - a
                if not jobs:
                    raise RuntimeError("the backlog ran out")
                for job in jobs:
                    submission = replace(base, external_ref=f"LGW-bench-{phase}-{done}")
                    a = time.process_time()
                    await registry.submit(submission)
                    b = time.process_time()
                    await runner.run(job, registry, Ambiguity(False))
                    c = time.process_time()
                    spent["http_submit"] += b - a
                    spent["job_run"] += c - b
                    done += 1
    finally:
        await container.aclose()
    return {k: round(v / count * 1000, 3) for k, v in spent.items()}


def measure(db: str, count: int, workdir: Path) -> dict[str, Any]:
    with common.temp_database(db, workdir) as url:
        intake = intake_costs(url, count)
    with (
        common.temp_database(db, workdir) as url,
        common.sandbox(workdir, workdir / f"sandbox-{db}.db", 0) as (registry, _),
    ):
        seed(url, ["lampung"], count + count // 4 + 20)
        job = asyncio.run(job_costs(url, registry, count))
    return {"intake_ms": intake, "submit_job_ms": job}


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
            print(
                f"    submit job: claim {job['claim']:.2f} + JobRunner.run {job['job_run']:.2f} "
                f"(of which HTTP submit ~{job['http_submit']:.2f}, database "
                f"~{job['job_run'] - job['http_submit']:.2f}) = "
                f"{job['claim'] + job['job_run']:.2f} ms"
            )
    common.print_summary("costs", summary)


if __name__ == "__main__":
    main()
