"""Pulling LAPORPAMAN submissions from the portal's own table (MariaDB, PostgreSQL,
SQLite) and from a JSON endpoint: exact counts, only new rows on the next poll,
quarantine without blocking, a crash mid-poll that neither loses nor repeats, ties on
an updated-at cursor, and the national status written back into the portal's row."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters.webform import batch
from adapters.webform.pull import PullResult, RestSource, SqlSource, pull_once, stored_cursor
from adapters.webform.settings import PullRest, PullSql, WebformSettings
from gateway.domain.errors import ErrorKind, GatewayError
from gateway.fieldmap import FieldMapping
from gateway.migrations import upgrade
from gateway.storage.engine import make_engine, make_session_factory
from gateway.storage.models import Complaint, InboundMessage, OutboxJob
from gateway.tenants import load_tenants
from tests.support import ROOT, TENANT_ENV, fresh_postgres_database, serve_in_thread

MARIADB_URL = os.environ.get("GATEWAY_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/")
EXAMPLES = ROOT / "adapters" / "webform" / "examples"
TODAY = date(2026, 11, 23)
ID_SPEC = PullSql(database_secret="portal_database", table="laporan", cursor_column="id_laporan")


# --- the portal's database ----------------------------------------------------------


@contextmanager
def fresh_mariadb_database() -> Iterator[str]:
    pytest.importorskip("pymysql", reason="the MariaDB tests need PyMySQL")
    admin = sa.create_engine(MARIADB_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"MariaDB is not reachable at GATEWAY_TEST_MARIADB_URL={MARIADB_URL}: {exc}")
    name = f"gw_portal_{uuid.uuid4().hex[:12]}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield make_url(MARIADB_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


class Portal:
    """The LAPORPAMAN-like table of ``examples/laporpaman.<dialect>.sql``."""

    def __init__(self, url: str, dialect: str) -> None:
        self.url, self.dialect = url, dialect
        self.engine = sa.create_engine(url)
        script = (EXAMPLES / f"laporpaman.{dialect}.sql").read_text()
        code = "\n".join(line for line in script.splitlines() if not line.startswith("--"))
        with self.engine.begin() as connection:
            for statement in filter(str.strip, code.split(";")):
                connection.exec_driver_sql(statement)

    def add(self, **values: Any) -> int:
        row = {
            "judul_laporan": "Jalan berlubang",
            "isi_laporan": "Jalan berlubang besar di Jl. A. Yani km 5, sudah dua minggu.",
            "kategori": "jalan",
            "nama_pelapor": "Siti Aminah",
            "no_hp": "0812-5123-4567",
            "kode_wilayah": "63.71",
            "tanggal_kejadian": "2026-11-20",
            **values,
        }
        names = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self.engine.begin() as connection:
            connection.execute(sa.text(f"INSERT INTO laporan ({names}) VALUES ({marks})"), row)
            return int(connection.execute(sa.text("SELECT MAX(id_laporan) FROM laporan")).scalar())

    def change(self, id_laporan: int, **values: Any) -> None:
        sets = ", ".join(f"{name} = :{name}" for name in values)
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(f"UPDATE laporan SET {sets} WHERE id_laporan = :key"),
                {**values, "key": id_laporan},
            )

    def row(self, id_laporan: int) -> dict[str, Any]:
        with self.engine.connect() as connection:
            found = connection.execute(
                sa.text("SELECT * FROM laporan WHERE id_laporan = :key"), {"key": id_laporan}
            )
            return dict(found.one()._mapping)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "mariadb"]
)
def portal(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Portal]:
    if request.param == "sqlite":
        made = Portal(f"sqlite:///{tmp_path / 'laporpaman.db'}", "sqlite")
        yield made
        made.engine.dispose()
        return
    fresh = fresh_postgres_database if request.param == "postgresql" else fresh_mariadb_database
    with fresh() as url:
        made = Portal(url, request.param)
        yield made
        made.engine.dispose()


# --- the gateway --------------------------------------------------------------------


@pytest.fixture(scope="module")
def kalsel():
    return load_tenants(ROOT / "mappings", TENANT_ENV)["kalsel"]


@pytest.fixture
def mapping(kalsel) -> FieldMapping:
    channel = next(c for c in kalsel.spec.channels if c.id == "laporpaman")
    settings = WebformSettings.model_validate(channel.settings)
    return FieldMapping(kalsel, "webform", "laporpaman", channel.fields, settings, None)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Any]:
    """The gateway's own database (SQLite; `factory` runs on PostgreSQL too)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


@contextmanager
def sql_source(portal: Portal, spec: PullSql = ID_SPEC) -> Iterator[SqlSource]:
    source = SqlSource(portal.url, spec)
    try:
        yield source
    finally:
        source.close()


def complaints(factory) -> dict[str, Complaint]:
    with factory() as session:
        rows = session.scalars(sa.select(Complaint).where(Complaint.tenant == "kalsel"))
        return {c.source_ref: c for c in rows}


def inbound(factory, state: str) -> dict[str, InboundMessage]:
    with factory() as session:
        rows = session.scalars(sa.select(InboundMessage).where(InboundMessage.state == state))
        return {m.source_ref: m for m in rows}


def counts(result: PullResult) -> tuple[int, int, int]:
    return result.created, result.duplicate, result.quarantined


# --- the portal's table -------------------------------------------------------------


def test_pull_maps_new_rows_once_and_quarantines_without_blocking(
    portal: Portal, factory, mapping
) -> None:
    first = portal.add(latitude="-3.3194000", longitude="114.5908000", anonim=1)
    second = portal.add(
        judul_laporan="Sampah menumpuk",
        isi_laporan="Sampah menumpuk di TPS Jl. Pramuka, tiga hari tidak diangkut.",
        kategori="sampah",
        kode_wilayah="63.72",
        no_hp="+62 813 4900 1122",
    )
    bad = portal.add(no_hp="12345")  # too short: quarantined, not lost
    after_bad = portal.add(kategori="air_pdam", no_hp="0811 500 600")
    with sql_source(portal) as source:
        result = pull_once(factory, mapping, source, TODAY)
        assert counts(result) == (3, 0, 1)
        assert result.cursor == str(after_bad) == stored_cursor(factory, "kalsel", "laporpaman")

        found = complaints(factory)
        assert sorted(found) == sorted(str(i) for i in (first, second, after_bad))
        road = found[str(first)]
        assert (road.region_code, road.reporter_phone) == ("63.71", "+6281251234567")
        assert (road.topic_id, road.topic_source, road.agency_code) == (2, "category", "6371-DPUPR")
        assert (road.latitude, road.longitude) == (-3.3194, 114.5908)
        assert road.incident_date == date(2026, 11, 20)
        assert (road.anonymous, road.confidential, road.channel) == (True, False, "webform")
        waste = found[str(second)]
        assert (waste.region_code, waste.topic_id, waste.agency_code) == ("63.72", 20, "63-DLH")
        assert waste.reporter_phone == "+6281349001122"
        assert found[str(after_bad)].topic_id == 24
        quarantined = inbound(factory, "quarantined")
        assert list(quarantined) == [str(bad)]
        assert quarantined[str(bad)].error.startswith("no_hp: ")
        assert quarantined[str(bad)].channel == "webform"
        assert '"no_hp": "12345"' in quarantined[str(bad)].payload

        # the next poll reads only what came since
        newer = [portal.add(kategori="banjir"), portal.add(kategori="pendidikan")]
        assert counts(pull_once(factory, mapping, source, TODAY)) == (2, 0, 0)
        assert stored_cursor(factory, "kalsel", "laporpaman") == str(newer[-1])
        assert counts(pull_once(factory, mapping, source, TODAY)) == (0, 0, 0)

        # a lost cursor reads everything again and stores nothing twice
        with factory.begin() as session:
            session.execute(sa.text("DELETE FROM pull_cursor"))
        assert counts(pull_once(factory, mapping, source, TODAY)) == (0, 5, 1)
    assert len(complaints(factory)) == 5
    assert len(inbound(factory, "quarantined")) == 1
    with factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxJob)) == 5


@pytest.mark.parametrize("crash_at", ["insert_items", "cursor"])
def test_a_crash_mid_poll_neither_loses_nor_repeats(
    portal: Portal, gateway, mapping, monkeypatch: pytest.MonkeyPatch, crash_at: str
) -> None:
    ids = [
        portal.add(isi_laporan=f"Lampu jalan mati di gang {n}, sudah seminggu gelap.")
        for n in range(5)
    ]
    spec = ID_SPEC.model_copy(update={"batch": 2})
    calls = {"n": 0}
    real = batch.insert_items if crash_at == "insert_items" else batch._advance

    def crash_on_second_batch(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:  # the second batch is fetched; the process dies before commit
            raise SystemExit("killed mid-poll")
        return real(*args, **kwargs)

    monkeypatch.setattr(
        batch, "insert_items" if crash_at == "insert_items" else "_advance", crash_on_second_batch
    )
    with sql_source(portal, spec) as source:
        with pytest.raises(SystemExit):
            pull_once(gateway, mapping, source, TODAY)
        assert sorted(complaints(gateway)) == [str(i) for i in ids[:2]]
        assert stored_cursor(gateway, "kalsel", "laporpaman") == str(ids[1])

        monkeypatch.undo()  # the restarted process
        result = pull_once(gateway, mapping, source, TODAY)
    assert counts(result) == (3, 0, 0)
    assert result.cursor == str(ids[-1])
    assert sorted(complaints(gateway), key=int) == [str(i) for i in ids]
    with gateway() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 5
        assert session.scalar(sa.select(sa.func.count()).select_from(OutboxJob)) == 5


def test_updated_at_cursor_reads_ties_once_and_edits_again(
    portal: Portal, gateway, mapping
) -> None:
    spec = ID_SPEC.model_copy(
        update={"cursor_column": "diubah_pada", "cursor_kind": "updated_at", "batch": 2}
    )
    ten = "2026-11-23 10:00:00"
    tied = [portal.add(diubah_pada=ten) for _ in range(3)]
    earlier = portal.add(diubah_pada="2026-11-23 09:00:00")
    with sql_source(portal, spec) as source:
        # batches [earlier, tied0], [tied1, tied2], []: the tie spans two batches
        result = pull_once(gateway, mapping, source, TODAY)
        assert counts(result) == (4, 0, 0)
        assert result.cursor is not None
        stamp, _, key = result.cursor.rpartition("|")
        assert key == str(tied[-1]) and stamp.replace("T", " ").startswith(ten)
        assert sorted(complaints(gateway), key=int) == [str(i) for i in [*tied, earlier]]
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (0, 0, 0)

        # a late row with the same timestamp but a higher key is not skipped
        late = portal.add(diubah_pada=ten)
        # an edited row is read again: a duplicate, not a second complaint
        portal.change(
            tied[0],
            isi_laporan="Jalan berlubang, sudah ada korban jatuh.",
            diubah_pada="2026-11-23 11:00:00",
        )
        # ... and one edited into something unmappable keeps its complaint, unquarantined
        portal.change(tied[1], no_hp="0", diubah_pada="2026-11-23 11:30:00")
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 2, 0)
        assert complaints(gateway)[str(tied[1])].reporter_phone == "+6281251234567"
        assert str(late) in complaints(gateway)

        # quarantined, then fixed on the portal: it becomes a complaint
        broken = portal.add(no_hp="08x", diubah_pada="2026-11-23 12:00:00")
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (0, 0, 1)
        portal.change(broken, no_hp="0812 5123 9999", diubah_pada="2026-11-23 13:00:00")
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 0, 0)
    assert complaints(gateway)[str(broken)].reporter_phone == "+6281251239999"
    assert inbound(gateway, "quarantined") == {}
    assert len(complaints(gateway)) == 6


def test_write_back_sets_only_the_configured_columns(portal: Portal, gateway, mapping) -> None:
    spec = ID_SPEC.model_copy(
        update={
            "cursor_column": "diubah_pada",
            "cursor_kind": "updated_at",
            "status_column": "status_lapor",
            "tracking_column": "nomor_lapor",
        }
    )
    key = portal.add(diubah_pada="2026-11-23 10:00:00")
    other = portal.add(diubah_pada="2026-11-23 10:00:00")
    before = portal.row(key)["diubah_pada"]
    with sql_source(portal, spec) as source:
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (2, 0, 0)
        source.write_back(str(key), "submitted", "LAPOR-2611-0001")
        source.write_back(key, "in_progress", None)  # no tracking ID: the one there stays
        row = portal.row(key)
        assert (row["status_lapor"], row["nomor_lapor"]) == ("in_progress", "LAPOR-2611-0001")
        # the cursor column is kept (MariaDB's ON UPDATE would move it): not read again
        assert row["diubah_pada"] == before
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (0, 0, 0)
        assert portal.row(other)["status_lapor"] is None
        # a submission only ever pushed (not a key of this table): nothing to write
        source.write_back("LP-not-a-number", "submitted", None)
        assert portal.row(other)["status_lapor"] is None
    status_only = ID_SPEC.model_copy(update={"status_column": "status_lapor"})
    with sql_source(portal, status_only) as source:
        source.write_back(other, "resolved", "LAPOR-2611-0002")
    row = portal.row(other)
    assert (row["status_lapor"], row["nomor_lapor"]) == ("resolved", None)


def test_a_second_poller_that_lost_the_race_stores_nothing(
    tmp_path: Path, gateway, mapping
) -> None:
    portal = Portal(f"sqlite:///{tmp_path / 'laporpaman.db'}", "sqlite")
    portal.add()
    with sql_source(portal) as slow, sql_source(portal) as fast:
        assert counts(pull_once(gateway, mapping, fast, TODAY)) == (1, 0, 0)
        ids = [portal.add() for _ in range(3)]
        fetch = slow.fetch

        def fetch_then_lose_the_race(cursor: str | None) -> list[dict[str, Any]]:
            rows = fetch(cursor)
            assert counts(pull_once(gateway, mapping, fast, TODAY)) == (3, 0, 0)
            return rows

        slow.fetch = fetch_then_lose_the_race  # type: ignore[method-assign]
        assert counts(pull_once(gateway, mapping, slow, TODAY)) == (0, 0, 0)
    assert stored_cursor(gateway, "kalsel", "laporpaman") == str(ids[-1])
    assert len(complaints(gateway)) == 4
    portal.engine.dispose()


def test_a_table_or_column_that_is_not_there_is_a_permanent_error(tmp_path: Path) -> None:
    portal = Portal(f"sqlite:///{tmp_path / 'laporpaman.db'}", "sqlite")
    for spec in (
        ID_SPEC.model_copy(update={"table": "pengaduan"}),
        ID_SPEC.model_copy(update={"status_column": "status"}),
    ):
        with pytest.raises(GatewayError) as refused:
            SqlSource(portal.url, spec)
        assert refused.value.kind is ErrorKind.PERMANENT
    portal.engine.dispose()


# --- the portal's JSON endpoint -----------------------------------------------------

TOKEN = "portal-token-0123456789"


def portal_app(items: list[dict[str, Any]], asked: list[str | None]) -> Starlette:
    async def laporan(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        since = request.query_params.get("since_id")
        asked.append(since)
        limit = int(request.query_params["limit"])
        page = [i for i in items if i["id_laporan"] > int(since or 0)][:limit]
        return JSONResponse({"data": page, "total": len(items)})

    return Starlette(routes=[Route("/api/laporan", laporan)])


def submission(number: int, **values: Any) -> dict[str, Any]:
    return {
        "id_laporan": number,
        "judul_laporan": "Banjir di kompleks",
        "isi_laporan": "Banjir setinggi lutut di Kompleks Beruntung Jaya setiap hujan deras.",
        "kategori": "banjir",
        "no_hp": "0812 5123 4567",
        "kode_wilayah": "63.71",
        "tanggal_kejadian": "2026-11-21",
        "rahasia": "1",
        **values,
    }


def test_rest_source_pages_by_since_id_with_a_bearer_token(gateway, mapping) -> None:
    items = [submission(n) for n in range(101, 106)]
    items[2]["no_hp"] = "123"
    asked: list[str | None] = []
    with serve_in_thread(portal_app(items, asked)) as base:
        spec = PullRest(url=f"{base}/api/laporan", cursor_field="id_laporan", batch=2)
        source = RestSource(spec, TOKEN)
        try:
            result = pull_once(gateway, mapping, source, TODAY)
            assert counts(result) == (4, 0, 1) and result.cursor == "105"
            # read on, then back (the look-back window: 200 ids below the highest)
            assert asked == [None, "102", "104", "0", "102", "104"]
            found = complaints(gateway)
            assert sorted(found) == ["101", "102", "104", "105"]
            assert (found["101"].topic_id, found["101"].confidential) == (5, True)
            assert list(inbound(gateway, "quarantined")) == ["103"]

            items.append(submission(106))
            del asked[:]
            assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 0, 0)
            assert asked[0] == "105"
        finally:
            source.close()

        wrong = RestSource(spec, "not-the-token")
        with pytest.raises(GatewayError) as refused:
            pull_once(gateway, mapping, wrong, TODAY)
        wrong.close()
    assert refused.value.kind is ErrorKind.PERMANENT
    assert "token" in refused.value.message
    assert stored_cursor(gateway, "kalsel", "laporpaman") == "106"


def test_rest_source_says_what_kind_of_failure(gateway, mapping) -> None:
    answers = iter(
        [
            httpx.Response(503),
            httpx.Response(429, headers={"Retry-After": "7"}),
            httpx.Response(200, text="<html>maintenance</html>"),
            httpx.Response(200, json={"data": {"not": "a list"}}),
        ]
    )
    client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    source = RestSource(PullRest(url="http://portal.invalid/api/laporan"), client=client)
    kinds = []
    for _ in range(4):
        with pytest.raises(GatewayError) as failed:
            pull_once(gateway, mapping, source, TODAY)
        kinds.append((failed.value.kind, failed.value.retry_after))
    assert kinds == [
        (ErrorKind.RETRYABLE, None),
        (ErrorKind.THROTTLED, 7.0),
        (ErrorKind.RETRYABLE, None),
        (ErrorKind.PERMANENT, None),
    ]
    bare = [submission(7)]
    client = httpx.Client(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=bare))
    )
    spec = PullRest(
        url="http://portal.invalid/api/laporan", items_path="", cursor_field="id_laporan"
    )
    assert counts(pull_once(gateway, mapping, RestSource(spec, client=client), TODAY)) == (1, 0, 0)
    assert stored_cursor(gateway, "kalsel", "laporpaman") == "7"
