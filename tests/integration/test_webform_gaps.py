"""Pulls that cannot skip (issue 16, findings 1 and 8b), on the LAPORPAMAN table in
MariaDB, PostgreSQL and SQLite and on a JSON endpoint: a row committed after a later
one (same second, or a transaction held open for seconds) is still pulled, on an
``updated_at`` or an ``id`` cursor, across a restart; a key that never appears is given
up after the horizon and an operator told; REST pages in any order; a quarantined row
gets its status and reason written back; a 10,240-character complaint is taken, cut,
with its full text attached."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from adapters.webform.longtext import TextStore
from adapters.webform.pull import PullResult, RestSource, pull_once
from adapters.webform.refusals import tell_refusals
from adapters.webform.settings import PullRest
from gateway.domain.complaint import MAX_CONTENT
from gateway.metrics import REGISTRY
from gateway.storage.complaints import fail
from gateway.storage.intake import utcnow
from gateway.storage.models import Complaint
from tests.integration import test_webform_pull as base
from tests.integration.test_webform_pull import (
    ID_SPEC,
    TODAY,
    TOKEN,
    Portal,
    complaints,
    inbound,
    sql_source,
    submission,
)
from tests.support import serve_in_thread, wait_until

# the portal (SQLite, PostgreSQL, MariaDB), the gateway's database, kalsel's web form
portal, gateway, kalsel, mapping = base.portal, base.gateway, base.kalsel, base.mapping

TEN = "2026-11-23 10:00:00"
UPDATED = ID_SPEC.model_copy(update={"cursor_column": "diubah_pada", "cursor_kind": "updated_at"})
#: only the remembered keys, no look-back window: the gaps alone must catch late rows
GAPS_ONLY = {"lookback_seconds": 0, "lookback_ids": 0}


def counts(result: PullResult) -> tuple[int, int, int]:
    return result.created, result.duplicate, result.quarantined


@contextmanager
def late_row(portal: Portal, **values: Any) -> Iterator[int]:
    """A row whose id is taken now and that commits when the block ends (SQLite, one
    writer at a time: the id is taken and freed now, the row written with it at the end)."""
    row = {
        "isi_laporan": "Drainase tersumbat di Jl. Veteran, air meluap ke rumah warga.",
        "kategori": "banjir",
        "no_hp": "0812-5123-7777",
        "kode_wilayah": "63.71",
        **values,
    }
    names, marks = ", ".join(row), ", ".join(f":{n}" for n in row)
    insert = sa.text(f"INSERT INTO laporan ({names}) VALUES ({marks})")
    if portal.dialect == "sqlite":
        with portal.engine.begin() as connection:
            connection.execute(insert, row)
            key = int(connection.execute(sa.text("SELECT MAX(id_laporan) FROM laporan")).scalar())
            connection.execute(sa.text(f"DELETE FROM laporan WHERE id_laporan = {key}"))
        yield key
        portal.add(id_laporan=key, **row)
        return
    last = "SELECT LAST_INSERT_ID()" if portal.dialect == "mariadb" else "SELECT lastval()"
    with portal.engine.connect() as connection, connection.begin():
        connection.execute(insert, row)
        yield int(connection.execute(sa.text(last)).scalar())


def burned_id(portal: Portal) -> int:
    """An id taken by an insert that is rolled back: it never appears."""
    with late_row(portal) as key:
        pass
    with portal.engine.begin() as connection:
        connection.execute(sa.text(f"DELETE FROM laporan WHERE id_laporan = {key}"))
    return key


def gap_rows(factory) -> list[tuple[str, bool]]:
    with factory() as session:
        rows = session.execute(sa.text("SELECT key, given_up_at FROM pull_gap ORDER BY key"))
        return [(str(r[0]), r[1] is not None) for r in rows]


@pytest.mark.parametrize("windows", [{}, GAPS_ONLY], ids=["lookback", "gaps"])
def test_a_row_committed_after_a_later_one_in_the_same_second_is_pulled(
    portal: Portal, gateway, mapping, windows: dict[str, int]
) -> None:
    spec = UPDATED.model_copy(update=windows)
    first = portal.add(diubah_pada="2026-11-23 09:00:00")
    with sql_source(portal, spec) as source:
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 0, 0)
        with late_row(portal, diubah_pada=TEN) as early:
            later = portal.add(diubah_pada=TEN)
            assert later > early
            assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 0, 0)
            assert sorted(complaints(gateway), key=int) == [str(first), str(later)]
        result = pull_once(gateway, mapping, source, TODAY)
        assert counts(result) == (1, 0, 0) and result.waiting == 0
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (0, 0, 0)
    assert sorted(complaints(gateway), key=int) == [str(first), str(early), str(later)]
    assert gap_rows(gateway) == []


@pytest.mark.parametrize(
    "portal",
    [pytest.param("postgresql", marks=pytest.mark.postgres), "mariadb"],
    indirect=True,  # concurrent writers: a transaction can be held open
)
@pytest.mark.parametrize("windows", [{}, GAPS_ONLY], ids=["lookback", "gaps"])
def test_a_transaction_held_open_while_later_rows_are_pulled_is_pulled_after_a_restart(
    portal: Portal, gateway, mapping, windows: dict[str, int]
) -> None:
    spec = UPDATED.model_copy(update=windows)
    first = portal.add()
    with sql_source(portal, spec) as source:
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 0, 0)
    with late_row(portal) as held:  # diubah_pada: the portal's clock, now
        later = [portal.add() for _ in range(3)]
        with sql_source(portal, spec) as source:
            assert counts(pull_once(gateway, mapping, source, TODAY)) == (3, 0, 0)
        newest = max(portal.row(k)["diubah_pada"] for k in later)
        # held open for 2 s of the portal's clock while the gateway keeps polling
        with sql_source(portal, spec) as source:
            wait_until(
                lambda: (
                    counts(pull_once(gateway, mapping, source, TODAY)) == (0, 0, 0)
                    and portal_now(portal) >= newest + timedelta(seconds=2)
                ),
                timeout=10,
                interval=0.2,
                what="the portal's clock 2 s past the later rows",
            )
    with sql_source(portal, spec) as source:  # the gateway restarted
        result = pull_once(gateway, mapping, source, TODAY)
    assert counts(result) == (1, 0, 0) and result.waiting == 0
    assert sorted(complaints(gateway), key=int) == [str(k) for k in [first, held, *later]]


def portal_now(portal: Portal) -> Any:
    with portal.engine.connect() as connection:
        return connection.execute(sa.text("SELECT LOCALTIMESTAMP")).scalar()


def test_an_id_cursor_waits_for_a_lower_id_then_gives_up_after_the_horizon(
    portal: Portal, gateway, mapping
) -> None:
    spec = ID_SPEC.model_copy(update={**GAPS_ONLY, "gap_horizon_seconds": 600})
    first = portal.add()
    with sql_source(portal, spec) as source:
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 0, 0)
        with late_row(portal) as early:
            later = portal.add()
            result = pull_once(gateway, mapping, source, TODAY)
            assert counts(result) == (1, 0, 0) and result.waiting == 1
            assert gap_rows(gateway) == [(str(early), False)]
    with sql_source(portal, spec) as source:  # a restart: the awaited id is remembered
        result = pull_once(gateway, mapping, source, TODAY)
        assert counts(result) == (1, 0, 0) and result.waiting == 0
        assert sorted(complaints(gateway), key=int) == [str(k) for k in (first, early, later)]

        # an insert rolled back: its id never appears; after the horizon, an operator is told
        lost = burned_id(portal)
        after = portal.add()
        result = pull_once(gateway, mapping, source, TODAY)
        assert counts(result) == (1, 0, 0) and (result.waiting, result.given_up) == (1, 0)
        labels = {"tenant": "kalsel", "channel": "laporpaman"}
        before = REGISTRY.get_sample_value("gateway_webform_pull_gaps_given_up_total", labels)
        with gateway.begin() as session:  # first missed 11 minutes ago
            session.execute(
                sa.text("UPDATE pull_gap SET missed_at = :at"),
                {"at": utcnow() - timedelta(minutes=11)},
            )
        result = pull_once(gateway, mapping, source, TODAY)
        assert (result.waiting, result.given_up) == (0, 1)
        assert gap_rows(gateway) == [(str(lost), True)]
        given = REGISTRY.get_sample_value("gateway_webform_pull_gaps_given_up_total", labels)
        assert given == (before or 0) + 1
        told = inbound(gateway, "quarantined")[f"gap:{lost}"]
        assert json.loads(told.payload)["missing_key"] == lost
        assert "gap_horizon_seconds" in told.error
        assert (pull_once(gateway, mapping, source, TODAY).given_up, len(gap_rows(gateway))) == (
            0,
            1,
        )
    assert str(after) in complaints(gateway)


def test_a_rest_pull_takes_pages_in_any_order_and_waits_for_a_lower_id(gateway, mapping) -> None:
    items = [submission(n) for n in (101, 102)]
    asked: list[str | None] = []

    async def newest_first(request: Request) -> JSONResponse:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        since = request.query_params.get("since_id")
        asked.append(since)
        limit = int(request.query_params["limit"])
        page = sorted((i for i in items if i["id_laporan"] > int(since or 0)), key=_number)
        return JSONResponse({"data": page[:limit][::-1]})

    app = Starlette(routes=[Route("/api/laporan", newest_first)])
    with serve_in_thread(app) as base:
        spec = PullRest(
            url=f"{base}/api/laporan", cursor_field="id_laporan", batch=2, lookback_ids=0
        )
        source = RestSource(spec, TOKEN)
        try:
            assert counts(pull_once(gateway, mapping, source, TODAY)) == (2, 0, 0)
            items += [submission(n) for n in (104, 105, 106)]  # 103: not committed yet
            del asked[:]
            result = pull_once(gateway, mapping, source, TODAY)
            assert counts(result) == (3, 0, 0)
            assert (result.cursor, result.waiting) == ("106", 1)
            assert asked[:2] == ["102", "105"]  # pages newest first: the highest is the cursor

            items.append(submission(103))
            del asked[:]
            result = pull_once(gateway, mapping, source, TODAY)
            assert counts(result) == (1, 0, 0) and result.waiting == 0
            assert asked == ["106", "102"]  # on from the cursor, then back for 103
        finally:
            source.close()
    assert sorted(complaints(gateway)) == [str(n) for n in range(101, 107)]


def _number(item: dict[str, Any]) -> int:
    return int(item["id_laporan"])


def test_a_quarantined_row_gets_its_status_and_reason_written_back(
    portal: Portal, gateway, mapping
) -> None:
    spec = UPDATED.model_copy(
        update={
            "status_column": "status_lapor",
            "tracking_column": "nomor_lapor",
            "reason_column": "alasan_lapor",
        }
    )
    good = portal.add(diubah_pada=TEN)
    bad = portal.add(no_hp="12345", diubah_pada=TEN)
    stamp = portal.row(bad)["diubah_pada"]
    with sql_source(portal, spec) as source:
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 0, 1)
        row = portal.row(bad)
        assert row["status_lapor"] == "quarantined"
        assert row["alasan_lapor"].startswith("Tidak diteruskan ke SP4N-LAPOR!, perbaiki kolom")
        assert "no_hp: " in row["alasan_lapor"]
        assert row["diubah_pada"] == stamp  # not moved: not read again as an edit
        assert portal.row(good)["status_lapor"] is None
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (0, 0, 0)

        # corrected on the portal: taken; its first status clears the reason
        portal.change(bad, no_hp="0812 5123 4444", diubah_pada="2026-11-23 11:00:00")
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (1, 0, 0)
        source.write_back(bad, "submitted", "LAPOR-2611-0009")
    row = portal.row(bad)
    assert (row["status_lapor"], row["nomor_lapor"], row["alasan_lapor"]) == (
        "submitted",
        "LAPOR-2611-0009",
        None,
    )


def test_a_10240_character_complaint_is_cut_with_its_full_text_attached(
    portal: Portal, gateway, mapping, tmp_path: Path
) -> None:
    words = "Jalan rusak parah di Jl. Gubernur Soebarjo, lubang di mana-mana. "
    text = (words * 200)[:10_239] + "."
    assert len(text) == 10_240
    key = portal.add(isi_laporan=text)
    store = TextStore(tmp_path / "attachments")
    with sql_source(portal) as source:
        assert counts(pull_once(gateway, mapping, source, TODAY, texts=store)) == (1, 0, 0)
    complaint = complaints(gateway)[str(key)]
    assert len(complaint.content) <= MAX_CONTENT
    assert complaint.content.startswith(text[:9000])
    assert "isi lengkap (10240 karakter) ada di lampiran" in complaint.content
    [attached] = json.loads(complaint.attachments)
    assert (attached["content_type"], attached["size"]) == ("text/plain", 10_240)
    name = attached["url"].rpartition("/")[2]
    assert (tmp_path / "attachments" / name).read_text(encoding="utf-8") == text
    assert inbound(gateway, "quarantined") == {}


def test_a_submission_the_registry_refused_gets_failed_and_the_reason_written_back(
    portal: Portal, gateway, mapping
) -> None:
    spec = ID_SPEC.model_copy(
        update={"status_column": "status_lapor", "reason_column": "alasan_lapor"}
    )
    refused, fine = portal.add(), portal.add()
    since = utcnow() - timedelta(minutes=5)
    with sql_source(portal, spec) as source:
        assert counts(pull_once(gateway, mapping, source, TODAY)) == (2, 0, 0)
        assert tell_refusals(gateway, mapping, source, since)[0] == 0
        with gateway.begin() as session:  # what the recorder does with a permanent 400
            complaint = session.get(Complaint, complaints(gateway)[str(refused)].id)
            fail(session, complaint, "400: topic_id: not an active topic")
        told, since = tell_refusals(gateway, mapping, source, since)
    assert told == 1
    row = portal.row(refused)
    assert row["status_lapor"] == "failed"
    assert row["alasan_lapor"] == "Ditolak SP4N-LAPOR!: 400: topic_id: not an active topic"
    assert portal.row(fine)["status_lapor"] is None
