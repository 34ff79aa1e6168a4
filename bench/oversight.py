"""The oversight page's figures over 1,000,000 complaints on PostgreSQL.

Generates a province (Sumatera Barat) and five regencies and cities below it with
``--complaints`` complaints spread over 2026 (about 50 agencies, 5 channels, 20
topics) and their national histories (submitted; 5% archived; verified, dispatched,
followed up and finished at random delays, some never), all in SQL (generate_series),
rebuilds the pre-aggregated rows from the history (``gateway oversight rebuild``:
:func:`gateway.oversight.rebuild.rebuild`), then times :func:`compute` for two months,
a quarter, the year and a range of dates (median of 5, after a first run that keeps
the months that have ended) and a drill-down page. By default the figures are computed
on 15 January 2027, when every month of 2026 has ended; ``--now 2026-12-20T03:00+00:00``
leaves December in progress (counted from the rows at every view).

    .venv/bin/python bench/oversight.py [--complaints 1000000] [--now ISO] [--database URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import common  # first: puts the repository on sys.path
from sqlalchemy import text

from gateway.calendar import IndonesianCalendar
from gateway.mappings.spec import Sla
from gateway.oversight.compute import compute, drill, parse_period
from gateway.oversight.figures import Drill
from gateway.oversight.rebuild import rebuild
from gateway.storage.engine import make_engine, make_session_factory

NOW = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)
REGIONS = {
    "sumbar": ("Pemerintah Provinsi Sumatera Barat", "13", None),
    "pessel": ("Pemerintah Kabupaten Pesisir Selatan", "13.01", "sumbar"),
    "agam": ("Pemerintah Kabupaten Agam", "13.06", "sumbar"),
    "sijunjung": ("Pemerintah Kabupaten Sijunjung", "13.09", "sumbar"),
    "padang": ("Pemerintah Kota Padang", "13.71", "sumbar"),
    "bukittinggi": ("Pemerintah Kota Bukittinggi", "13.75", "sumbar"),
}
CHANNELS = ("telegram", "api", "sms", "webform", "callcenter")
TOPICS = (2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 20, 24, 26, 37, 40, 46, 47)


def tenants() -> dict[str, Any]:
    return {
        tid: SimpleNamespace(
            id=tid,
            spec=SimpleNamespace(
                tenant=tid,
                name=name,
                region_code=region,
                parent=parent,
                sla=Sla(),
                channels=[SimpleNamespace(id=c, type=c) for c in CHANNELS],
            ),
        )
        for tid, (name, region, parent) in REGIONS.items()
    }


def _array(values: Any) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"


def generate(connection: Any, count: int) -> None:
    """Complaints and their histories, in SQL. Sumatera Barat itself gets 40% of them,
    each child 12%; delays are uniform within each step's range."""
    tids = list(REGIONS)
    weights = ["sumbar"] * 10 + tids[1:] * 3  # 25 buckets: 10 the province's, 3 each child's
    regions = [REGIONS[t][1] for t in weights]
    connection.execute(text("SELECT setseed(0.42)"))
    connection.execute(
        text(f"""
        CREATE UNLOGGED TABLE bench_plan AS
        SELECT i, b, created, sub,
            CASE WHEN sub IS NOT NULL AND r1 < 0.05 THEN sub + r2 * interval '3 days' END AS arch,
            CASE WHEN sub IS NOT NULL AND r1 >= 0.05 THEN sub + r2 * interval '5 days' END AS ver,
            r3, r4, r5, r6
        FROM (
            SELECT i, (i % {len(weights)}) + 1 AS b,
                timestamptz '2026-01-01 00:00+07' + random() * interval '365 days' AS created,
                random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                random() AS r5, random() AS r6, random() AS r0
            FROM generate_series(1, {count}) AS i
        ) s
        CROSS JOIN LATERAL (
            SELECT CASE WHEN s.r0 < 0.97 THEN s.created + interval '5 minutes' END AS sub
        ) t
        """)
    )
    for statement in (
        "ALTER TABLE bench_plan ADD COLUMN dis timestamptz, ADD COLUMN fu timestamptz, "
        "ADD COLUMN fin timestamptz",
        "UPDATE bench_plan SET dis = ver + r3 * interval '2 days', "
        "fu = CASE WHEN r4 < 0.90 THEN ver + r3 * interval '2 days' + r5 * interval '8 days' END "
        "WHERE ver IS NOT NULL AND r4 < 0.95",
        "UPDATE bench_plan SET fin = fu + r6 * interval '15 days' "
        "WHERE fu IS NOT NULL AND r3 < 0.85",
    ):
        connection.execute(text(statement))
    connection.execute(
        text(f"""
        INSERT INTO complaint (id, tenant, channel, source_ref, external_ref, title, content,
            classification, topic_id, agency_code, agency_name, region_code, anonymous,
            confidential, attachments, language, status, tracking_id, national_status,
            submitted_at, dispatched_at, created_at, updated_at)
        SELECT md5(i::text)::uuid::text, ({_array(weights)})[b],
            ({_array(CHANNELS)})[1 + (i / 7) % {len(CHANNELS)}], 'B-' || i, 'GW-B' || i,
            'Pengaduan ' || i, 'Isi pengaduan', 'complaint',
            (ARRAY[{", ".join(map(str, TOPICS))}])[1 + (i / 3) % {len(TOPICS)}],
            'AG-' || lpad((1 + (i::bigint * 7919) % 50)::text, 2, '0'),
            'Organisasi Perangkat Daerah ' || (1 + (i::bigint * 7919) % 50),
            ({_array(regions)})[b], false, false, '[]', 'id',
            CASE WHEN fin IS NOT NULL THEN 'resolved' WHEN fu IS NOT NULL THEN 'in_progress'
                 WHEN dis IS NOT NULL THEN 'dispatched' WHEN ver IS NOT NULL THEN 'verified'
                 WHEN arch IS NOT NULL THEN 'rejected' WHEN sub IS NOT NULL THEN 'submitted'
                 ELSE 'received' END,
            CASE WHEN sub IS NOT NULL THEN 'LAPOR-B' || i END, NULL, sub, dis,
            created, created
        FROM bench_plan
        """)
    )
    steps = (
        ("received", "created", "NULL"),
        ("submitted", "sub", "'belum_terverifikasi'"),
        ("rejected", "arch", "'diarsipkan'"),
        ("verified", "ver", "'terverifikasi'"),
        ("dispatched", "dis", "'terdisposisi'"),
        ("in_progress", "fu", "'ditindaklanjuti'"),
        ("resolved", "fin", "'selesai'"),
    )
    for status, column, national in steps:
        source = "'gateway'" if status in ("received", "submitted") else "'national'"
        key = "NULL" if source == "'gateway'" else f"'{status}:' || {column}::text"
        connection.execute(
            text(f"""
            INSERT INTO status_event (complaint_id, status, national_status, source,
                event_key, at, recorded_at)
            SELECT md5(i::text)::uuid::text, '{status}', {national}, {source}, {key},
                {column}, {column}
            FROM bench_plan WHERE {column} IS NOT NULL
            """)
        )
    connection.execute(text("DROP TABLE bench_plan"))


def timed(function: Any, runs: int = 5) -> tuple[float, Any]:
    started = time.perf_counter()
    function()  # the first: fills the kept months of the trend (oversight_month)
    print(f"  (first run {time.perf_counter() - started:.2f} s)")
    durations, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def run(url: str, complaints: int, now: datetime) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    known = tenants()
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM complaint")).scalar() or 0
    if stored == 0:
        started = time.perf_counter()
        with engine.begin() as connection:
            generate(connection, complaints)
        generated = time.perf_counter() - started
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        started = time.perf_counter()
        rows = rebuild(factory, known, IndonesianCalendar())
        rebuilt = time.perf_counter() - started
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE oversight_fact")
            )
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM complaint")).scalar()
        events = connection.execute(text("SELECT count(*) FROM status_event")).scalar()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.machine()}")
    print(f"date: {date.today()}, load average before: {os.getloadavg()}; figures at {now}")
    if "generated" in locals():
        print(
            f"generated {stored} complaints and {events} status events in "
            f"{generated:.0f} s; rebuilt {rows} oversight rows in {rebuilt:.0f} s"
        )
    for key in ("2026-11", "2026-12", "2026-Q4", "2026", "2026-07-01..2026-12-15"):
        period = parse_period(key, now.date())
        seconds, result = timed(
            lambda period=period: compute(factory, known, "sumbar", period, now=now)
        )
        total = result.total
        print(
            f"compute {key:8} ({period.label}): median {seconds * 1000:.0f} ms; "
            f"received {total.received}, verified {total.verified}, dispatched "
            f"{total.dispatched}, followed up {total.followed_up}, finished "
            f"{total.finished}, archived {total.archived}, follow-up rate "
            f"{total.follow_up_rate:.3f}, finish rate {total.finish_rate:.3f}, medians "
            f"{total.median_days_to_verify}/{total.median_days_to_follow_up}/"
            f"{total.median_days_to_finish} working days, over SLA "
            f"{total.over_sla_verify}/{total.over_sla_follow_up}/{total.over_sla_finish}; "
            f"{len(result.by_agency)} agencies, {len(result.by_region)} regions"
        )
    target = Drill("sumbar", "2026-11", "over_sla_follow_up", region="padang")
    seconds, (count, page) = timed(lambda: drill(factory, known, target, now=now))
    print(
        f"drill over_sla_follow_up, Kota Padang, 2026-11: {count} complaints, a page of "
        f"{len(page)} in {seconds * 1000:.0f} ms (median of 5)"
    )
    print(f"load average after: {os.getloadavg()}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument(
        "--now",
        default=NOW.isoformat(),
        help="the moment the figures are computed at (ISO 8601, default %(default)s: "
        "every month of 2026 has ended); one in December leaves it in progress",
    )
    parser.add_argument(
        "--database", help="a PostgreSQL URL to use (and keep): generated only when empty"
    )
    args = parser.parse_args()
    now = datetime.fromisoformat(args.now)
    if args.database:
        common.migrate(args.database)
        run(args.database, args.complaints, now)
        return
    with (
        common.temp_dir("oversight-") as workdir,
        common.temp_database("postgres", workdir) as url,
    ):
        run(url, args.complaints, now)


if __name__ == "__main__":
    main()
