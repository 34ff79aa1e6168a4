"""An export whose region column holds names (as agents type them) imported through
``gateway import callcenter``: every Bandar Lampung row gets the city's agency, other
regencies their own code, and a name that is not a region of Lampung is rejected naming
the value and what comes closest (never sent to the province in silence)."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.cli import app
from gateway.migrations import upgrade
from gateway.settings import Settings
from gateway.storage.models import Complaint
from tests.support import ROOT, TENANT_ENV, serve_in_thread

pytestmark = pytest.mark.e2e
HEADER = "ticket_no;subject;notes;kategori;caller_phone;kode_wilayah;tanggal_kejadian"
NOTES = "Pelapor menyampaikan masalah ini sudah dua minggu dan belum ada penanganan."
# ticket, category, the region as typed, the region code and agency it must get
ROWS = [
    ("RG-01", "JALAN", "Kota Bandar Lampung", "18.71", "1871-DPU"),
    ("RG-02", "PJU", "Bandarlampung", "18.71", "1871-DISHUB"),
    ("RG-03", "RS", "kota bandar  lampung", "18.71", "1871-DINKES"),
    ("RG-04", "SAMPAH", "Balam", "18.71", "1871-DLH"),
    ("RG-05", "JALAN", "1871", "18.71", "1871-DPU"),
    ("RG-06", "JALAN", "Kab. Lampung Selatan", "18.01", "18-DPUPR"),
    ("RG-07", "PJU", "kab lamsel", "18.01", "18-DISHUB"),
    ("RG-08", "JALAN", "Kota Metro", "18.72", "18-DPUPR"),
    ("RG-11", "PJU", "Kec. Kedaton", "18.71.01", "1871-DISHUB"),  # a district of the city
]
BAD = [
    ("RG-09", "JALAN", "Kota Bandung"),  # Jawa Barat's
    ("RG-10", "JALAN", "Kota Lampung Selatan"),  # a regency, not a city
]


def test_a_names_column_routes_every_city_row_to_the_city_agency(
    engine, factory, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in TENANT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GATEWAY_DATABASE_URL", database_url)
    monkeypatch.setenv("GATEWAY_MAPPINGS_DIR", str(ROOT / "mappings"))
    monkeypatch.setenv("GATEWAY_NATIONAL_URL", "http://127.0.0.1:9")
    lines = [HEADER]
    for ticket, category, region, _, _ in ROWS:
        lines.append(f"{ticket};Keluhan warga;{NOTES};{category};081234567890;{region};21/03/2026")
    for ticket, category, region in BAD:
        lines.append(f"{ticket};Keluhan warga;{NOTES};{category};081234567890;{region};21/03/2026")
    path = tmp_path / "wilayah.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = CliRunner().invoke(app, ["import", "callcenter", str(path), "--tenant", "lampung"])

    assert result.exit_code == 1, result.output  # two rows rejected
    assert "9 baru, 0 berubah, 0 sama, 2 ditolak" in result.output.splitlines()
    with factory() as session:
        got = {
            c.source_ref: (c.region_code, c.agency_code, c.review_reason)
            for c in session.scalars(select(Complaint))
        }
    assert got == {t: (code, agency, None) for t, _, _, code, agency in ROWS}
    with Path(f"{path}.rejects.csv").open(encoding="utf-8-sig", newline="") as f:
        rejected = {r["ticket_no"]: r for r in csv.DictReader(f)}
    assert sorted(rejected) == ["RG-09", "RG-10"]
    assert all(r["column"] == "kode_wilayah" for r in rejected.values())
    assert (
        "'Kota Bandung' is Kota Bandung (32.73), outside Lampung (18)"
        in (rejected["RG-09"]["reason"])
    )
    assert "'Kota Lampung Selatan' is not a region of Lampung (18)" in (rejected["RG-10"]["reason"])
    assert "Kabupaten Lampung Selatan (18.01)" in rejected["RG-10"]["reason"]


def test_the_push_api_takes_names_and_refuses_an_unknown_one_naming_the_column(
    tmp_path: Path,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        dispatch_interval=0.1,
        pull_interval=0.2,
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    key = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
    url = "/channels/callcenter/lampung/tickets"
    ticket = {
        "ticket_no": "RG-API-1",
        "subject": "Jalan berlubang",
        "notes": NOTES,
        "kategori": "JALAN",
        "kode_wilayah": "Kota Bandar Lampung",
    }
    with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:
        taken = http.post(url, json=ticket, headers=key)
        assert taken.status_code == 202, taken.text
        refused = http.post(
            url, json={**ticket, "ticket_no": "RG-API-2", "kode_wilayah": "Solok"}, headers=key
        )
    assert refused.status_code == 422
    [error] = refused.json()["error"]["fields"]
    assert error["field"] == "kode_wilayah"
    assert "'Solok' is not a region of Lampung (18)" in error["message"]
    with container.factory() as session:
        stored = session.scalars(select(Complaint)).one()
    assert (stored.source_ref, stored.region_code, stored.agency_code) == (
        "RG-API-1",
        "18.71",
        "1871-DPU",
    )
