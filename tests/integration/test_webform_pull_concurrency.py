"""Pulling while several writers insert into the LAPORPAMAN table (MariaDB, PostgreSQL)
in overlapping transactions, some held open for seconds, some rolled back: every
committed row becomes exactly one complaint, and only the rolled-back ids are still
awaited. The look-back windows are off, so the remembered keys alone must catch the
rows committed late. ``bench/pull_concurrency.py`` runs a bigger version."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from adapters.webform import gaps
from adapters.webform.pull import SqlSource, pull_once
from adapters.webform.settings import PullSql
from gateway.fieldmap import FieldMapping
from gateway.storage.models import Complaint, InboundMessage
from tests.integration import test_webform_pull as base
from tests.integration.test_webform_pull import TODAY, Portal
from tests.support import wait_until

portal, gateway, kalsel, mapping = base.portal, base.gateway, base.kalsel, base.mapping

SPEC = PullSql(
    database_secret="portal_database",
    table="laporan",
    cursor_column="diubah_pada",
    cursor_kind="updated_at",
    lookback_seconds=0,
    lookback_ids=0,
)
ROW = {
    "judul_laporan": "Lampu jalan mati",
    "isi_laporan": "Lampu penerangan jalan di Jl. Sutoyo S mati sepanjang 200 meter.",
    "kategori": "lampu_jalan",
    "nama_pelapor": "Rina Wulandari",
    "no_hp": "0812-5123-4567",
    "kode_wilayah": "63.71",
    "tanggal_kejadian": "2026-11-20",
}


@dataclass
class Outcome:
    committed: set[int] = field(default_factory=set)
    rolled_back: set[int] = field(default_factory=set)
    held: int = 0
    transactions: int = 0
    polls: int = 0
    write_seconds: float = 0.0
    catch_up_seconds: float = 0.0
    complaints: int = 0
    inbound: int = 0
    awaited: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _writer(
    portal: Portal, seed: int, rows: int, hold: tuple[float, float], share: float, out: Outcome
) -> None:
    rng = random.Random(seed)
    names = ", ".join(ROW)
    insert = sa.text(
        f"INSERT INTO laporan ({names}) VALUES ({', '.join(f':{n}' for n in ROW)})"
        " RETURNING id_laporan"
    )
    written = 0
    lock = out.lock
    while written < rows:
        count = min(rng.randint(1, 20), rows - written)
        with portal.engine.connect() as connection:
            transaction = connection.begin()
            ids = [int(connection.execute(insert, ROW).scalar_one()) for _ in range(count)]
            if rng.random() < share:  # a slow transaction, held open while others commit
                time.sleep(rng.uniform(*hold))
                with lock:
                    out.held += 1
            if rng.random() < share:
                transaction.rollback()
                with lock:
                    out.rolled_back.update(ids)
                continue
            transaction.commit()
        with lock:
            out.committed.update(ids)
            out.transactions += 1
        written += count


def workload(
    portal: Portal,
    factory: sessionmaker[Session],
    mapping: FieldMapping,
    *,
    writers: int = 4,
    rows: int = 500,
    hold: tuple[float, float] = (1.0, 2.5),
    share: float = 0.05,
    spec: PullSql = SPEC,
    today: date = TODAY,
    catch_up_timeout: float = 60,
) -> Outcome:
    """``writers`` threads write ``rows`` committed rows each while one poller pulls
    without pause; then it pulls until every committed row is a complaint."""
    out = Outcome()
    portal.add()  # a first row read: the keys after it are awaited when skipped
    source = SqlSource(portal.url, spec)
    try:
        pull_once(factory, mapping, source, today)
        threads = [
            threading.Thread(target=_writer, args=(portal, 16 + n, rows, hold, share, out))
            for n in range(writers)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            pull_once(factory, mapping, source, today)
            out.polls += 1
        out.write_seconds = time.perf_counter() - started
        out.committed.add(_first(portal))

        def caught_up() -> bool:
            pull_once(factory, mapping, source, today)
            out.polls += 1
            return _count(factory, Complaint) >= len(out.committed)

        wait_until(caught_up, timeout=catch_up_timeout, what="every committed row pulled")
        out.catch_up_seconds = time.perf_counter() - started - out.write_seconds
    finally:
        source.close()
    out.complaints = _count(factory, Complaint)
    out.inbound = _count(factory, InboundMessage)
    out.awaited = gaps.waiting(factory, mapping.tenant.id, mapping.channel_id)
    return out


def _first(portal: Portal) -> int:
    with portal.engine.connect() as connection:
        return int(connection.execute(sa.text("SELECT MIN(id_laporan) FROM laporan")).scalar())


def _count(factory: sessionmaker[Session], model: Any) -> int:
    with factory() as session:
        return int(session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def pulled_refs(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(sa.select(Complaint.source_ref)))


@pytest.mark.parametrize(
    "portal",
    [pytest.param("postgresql", marks=pytest.mark.postgres), "mariadb"],
    indirect=True,
)
def test_every_row_committed_by_overlapping_writers_becomes_one_complaint(
    portal: Portal, gateway, mapping
) -> None:
    out = workload(portal, gateway, mapping, writers=4, rows=500)
    refs = pulled_refs(gateway)
    assert len(refs) == len(set(refs)) == out.complaints == out.inbound
    assert {int(r) for r in refs} == out.committed
    assert len(out.committed) == 4 * 500 + 1
    assert out.held > 0 and out.rolled_back  # the workload did overlap and roll back
    # what is still awaited is what was rolled back (never to appear)
    assert set(out.awaited) <= out.rolled_back
