"""Web-form pull under concurrent writers: nothing lost, nothing twice.

``--writers`` threads insert ``--rows`` committed rows each into a fresh LAPORPAMAN
table (``adapters/webform/examples``) on MariaDB and on PostgreSQL, in transactions of
1-20 rows; a share of them (``--share``) is held open ``--hold`` seconds while the
others commit, and the same share is rolled back (ids that never appear). One poller
pulls without pause meanwhile (``updated_at`` cursor on ``diubah_pada``; look-back
windows off unless ``--lookback``, so the remembered keys alone must catch the rows
committed late), then until every committed row is a complaint. Figures per portal:
rows committed, transactions held and rolled back, polls, write and catch-up seconds,
rows pulled per second, complaints, duplicates (must be 0), missing (must be 0), ids
still awaited (must all be rolled-back ones). The workload is the one of
``tests/integration/test_webform_pull_concurrency.py``, bigger.

    .venv/bin/python bench/pull_concurrency.py
    .venv/bin/python bench/pull_concurrency.py --writers 8 --rows 2000 --portals mariadb
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import common

from adapters.webform.settings import WebformSettings
from gateway.fieldmap import FieldMapping
from gateway.storage.engine import make_engine, make_session_factory
from gateway.tenants import load_tenants
from tests.integration.test_webform_pull import Portal, fresh_mariadb_database
from tests.integration.test_webform_pull_concurrency import SPEC, pulled_refs, workload
from tests.support import fresh_postgres_database


@contextmanager
def portal_database(kind: str) -> Iterator[Portal]:
    fresh = fresh_postgres_database if kind == "postgresql" else fresh_mariadb_database
    with fresh() as url:
        portal = Portal(url, kind)
        try:
            yield portal
        finally:
            portal.engine.dispose()


def kalsel_form() -> FieldMapping:
    tenant = load_tenants(common.MAPPINGS, common.TENANT_ENV)["kalsel"]
    channel = next(c for c in tenant.spec.channels if c.id == "laporpaman")
    settings = WebformSettings.model_validate(channel.settings)
    return FieldMapping(tenant, "webform", "laporpaman", channel.fields, settings, None)


def run(kind: str, gateway_db: str, args: argparse.Namespace) -> dict[str, Any]:
    spec = SPEC
    if args.lookback:
        spec = SPEC.model_copy(update={"lookback_seconds": 300, "lookback_ids": 200})
    with (
        common.temp_dir("bench-pull-") as workdir,
        common.temp_database(gateway_db, workdir) as url,
        portal_database(kind) as portal,
    ):
        engine = make_engine(url)
        factory = make_session_factory(engine)
        try:
            out = workload(
                portal,
                factory,
                kalsel_form(),
                writers=args.writers,
                rows=args.rows,
                hold=(args.hold * 0.5, args.hold),
                share=args.share,
                spec=spec,
                catch_up_timeout=600,
            )
            refs = pulled_refs(factory)
        finally:
            engine.dispose()
    pulled = {int(r) for r in refs}
    seconds = out.write_seconds + out.catch_up_seconds
    return {
        "portal": kind,
        "gateway_db": gateway_db,
        "committed": len(out.committed),
        "transactions": out.transactions,
        "held": out.held,
        "rolled_back_ids": len(out.rolled_back),
        "polls": out.polls,
        "write_s": round(out.write_seconds, 2),
        "catch_up_s": round(out.catch_up_seconds, 2),
        "rows_per_s": round(len(pulled) / seconds, 1) if seconds else None,
        "complaints": out.complaints,
        "duplicates": len(refs) - len(pulled),
        "missing": len(out.committed - pulled),
        "extra": len(pulled - out.committed),
        "awaited": len(out.awaited),
        "awaited_not_rolled_back": len(set(out.awaited) - out.rolled_back),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--rows", type=int, default=5000, help="committed rows per writer")
    parser.add_argument("--hold", type=float, default=3.0, help="longest hold, seconds")
    parser.add_argument("--share", type=float, default=0.03, help="held / rolled back share")
    parser.add_argument("--portals", default="mariadb,postgresql")
    parser.add_argument("--gateway-db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--lookback", action="store_true", help="look-back windows on")
    args = parser.parse_args()
    print(f"pull_concurrency: {common.machine()}")
    print(
        f"  {args.writers} writers x {args.rows} rows, 1-20 rows per transaction, "
        f"{args.share:.0%} held up to {args.hold:g} s, {args.share:.0%} rolled back; "
        f"gateway on {args.gateway_db}; look-back {'on' if args.lookback else 'off'}"
    )
    results = []
    for kind in filter(None, args.portals.split(",")):
        started = time.perf_counter()
        result = run(kind, args.gateway_db, args)
        results.append(result)
        print(
            f"  {kind:10} committed {result['committed']:6} in {result['transactions']} tx "
            f"({result['held']} held, {result['rolled_back_ids']} ids rolled back); "
            f"{result['polls']} polls; write {result['write_s']} s + catch-up "
            f"{result['catch_up_s']} s = {result['rows_per_s']} rows/s; complaints "
            f"{result['complaints']}, duplicates {result['duplicates']}, missing "
            f"{result['missing']}, awaited {result['awaited']} "
            f"({result['awaited_not_rolled_back']} not rolled back); "
            f"{time.perf_counter() - started:.1f} s in all"
        )
    common.print_summary("pull_concurrency", {"runs": results})
    if any(r["missing"] or r["duplicates"] or r["awaited_not_rolled_back"] for r in results):
        raise SystemExit("a committed row was lost or pulled twice")


if __name__ == "__main__":
    main()
