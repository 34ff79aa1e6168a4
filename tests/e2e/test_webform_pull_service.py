"""The demo's LAPORPAMAN database pulled by the running gateway: new rows become
complaints, and each national status and tracking number is written back into the row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import httpx
import pytest

from adapters.webform.examples.demo import create
from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]}


def test_the_gateway_pulls_the_portal_table_and_writes_statuses_back(tmp_path: Path) -> None:
    portal = tmp_path / "laporpaman.db"
    assert create(portal) and not create(portal)  # the demo's three submissions, once
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    path = mappings / "kalsel.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("poll_seconds: 30", "poll_seconds: 0.3"),
        encoding="utf-8",
    )
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(mappings),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_step_seconds=0.4,
        sandbox_archive_rate=0,
        dispatch_interval=0.1,
        pull_interval=0.2,
    )
    env = {**TENANT_ENV, "GATEWAY_KALSEL_LAPORPAMAN_DB_URL": f"sqlite:///{portal}"}
    container = build_container(settings, environ=env)
    upgrade(container.engine)
    with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:

        def pulled() -> list[dict]:
            answer = http.get("/complaints", params={"channel": "webform"}, headers=KEY)
            return answer.json()["items"]

        found = wait_until(lambda: len(c := pulled()) == 3 and c, timeout=15, what="3 pulled")
        assert {c["source_ref"] for c in found} == {"1", "2", "3"}
        assert {c["topic_id"] for c in found} == {2, 20, 24}  # jalan, sampah, air_pdam

        with sqlite3.connect(portal) as conn:
            conn.execute(
                "INSERT INTO laporan (judul_laporan, isi_laporan, kategori, no_hp, kode_wilayah)"
                " VALUES ('Lampu jalan mati', 'Lampu jalan di Jl. Veteran mati seminggu.',"
                " 'lampu_jalan', '0813-2222-3333', '63.71')"
            )
        wait_until(lambda: len(pulled()) == 4, timeout=15, what="the new row pulled")

        def written_back() -> list | None:
            with sqlite3.connect(portal) as conn:
                rows = conn.execute("SELECT status_lapor, nomor_lapor FROM laporan").fetchall()
            return rows if all(status and number for status, number in rows) else None

        rows = wait_until(written_back, timeout=20, what="statuses written back")
        numbers = {c["tracking_id"] for c in pulled()}
        assert {number for _, number in rows} == numbers
