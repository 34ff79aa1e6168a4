"""Schemathesis over the gateway's OpenAPI document, longer than the test suite's run.

The same gateway, checks and credentials as ``tests/schema/test_openapi_fuzz.py``
(``tests/schema/fuzzing.py``): the gateway served on loopback on a fresh SQLite file
(PostgreSQL with ``--db postgres``; sync off, the sandbox registry in process), every
operation of ``/openapi.json`` given up to ``--examples`` cases (positive and negative
data, and the schema's examples; every other case with a real tenant's credentials),
each answer checked for no 5xx, a documented status, a documented content type and a
body valid against its documented schema. Prints per operation: cases, the statuses
seen, failures (each kind once, with how often; ``--details``: the first one's report
and curl command); then the totals and the wall time.

    .venv/bin/python bench/fuzz_openapi.py --examples 1000
    .venv/bin/python bench/fuzz_openapi.py --examples 200 --only /channels --db postgres
"""

from __future__ import annotations

import argparse
import time

import common
import schemathesis

from gateway.logs import configure_logging
from tests.schema.fuzzing import Credentials, config, fuzz, served_gateway


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="cases per operation")
    parser.add_argument("--only", default="", help="operations whose path starts with this")
    parser.add_argument("--details", action="store_true", help="print each failure's report")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    configure_logging("WARNING", "console")  # the figures, not a line per request
    print(f"fuzz_openapi: {common.machine()}; up to {args.examples} cases per operation, {args.db}")
    with (
        common.temp_dir("bench-fuzz-") as workdir,
        common.temp_database(args.db, workdir) as url,
        served_gateway(workdir, url) as base,
    ):
        schema = schemathesis.openapi.from_url(f"{base}/openapi.json", config=config())
        if args.only:
            schema = schema.include(path_regex=f"^{args.only}")
        started = time.monotonic()
        reports = fuzz(schema, base, args.examples, Credentials())
        seconds = time.monotonic() - started
    width = max(len(r.label) for r in reports)
    print(f"\n{'operation':{width}} {'cases':>6} {'fail':>5}  statuses")
    for r in reports:
        seen = " ".join(f"{s}:{n}" for s, n in sorted(r.statuses.items()))
        failed = sum(times for times, _ in r.failures.values())
        print(f"{r.label:{width}} {r.cases:6} {failed:5}  {seen}")
        for title, (times, first) in r.failures.items():
            print(f"{'':{width}}   x{times} {title}")
            if args.details:
                print("\n".join(f"{'':{width}}     {line}" for line in first.splitlines()))
    cases = sum(r.cases for r in reports)
    failures = sum(times for r in reports for times, _ in r.failures.values())
    kinds = sum(len(r.failures) for r in reports)
    statuses: dict[int, int] = {}
    for r in reports:
        for status, n in r.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    print(
        f"\n{len(reports)} operations, {cases} cases in {seconds:.1f} s "
        f"({cases / seconds:.1f} cases/s); {failures} failures of {kinds} kinds"
    )
    common.print_summary(
        "fuzz_openapi",
        {
            "examples_per_operation": args.examples,
            "operations": len(reports),
            "cases": cases,
            "seconds": round(seconds, 1),
            "failures": failures,
            "failure_kinds": kinds,
            "statuses": dict(sorted(statuses.items())),
        },
    )


if __name__ == "__main__":
    main()
