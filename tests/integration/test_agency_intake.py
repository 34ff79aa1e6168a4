"""An agency the national catalogue does not list is refused at intake, naming the field,
as an unknown topic is (it used to be taken with 202 and fail later in the outbox): the
API push and the call-centre push answer 422, the call-centre import rejects the row
naming its column, and nothing is stored."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.callcenter.importer import import_file, ticket_mapping
from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.settings import Settings
from gateway.storage.models import Complaint, InboundMessage, OutboxJob
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread

KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
COMPLAINT = {
    "source_ref": "AG-1",
    "title": "Jalan berlubang",
    "content": "Jalan berlubang besar di Jl. Teuku Umar depan pasar, sudah dua minggu.",
    "region_code": "18.71",
}
TICKET = {
    "ticket_no": "CC-AG-1",
    "subject": "Jalan berlubang",
    "notes": "Pelapor menyampaikan jalan di depan pasar Kedaton berlubang besar.",
    "kategori": "JALAN",
    "kode_wilayah": "18.71",
}


@dataclass
class Gateway:
    http: httpx.Client
    factory: sessionmaker[Session]
    container: object


@pytest.fixture
def gateway(engine, database_url: str, tmp_path: Path) -> Iterator[Gateway]:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    path = mappings / "lampung.yaml"  # the call centre's export has an agency column
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "      confidential: rahasia\n",
            "      confidential: rahasia\n      agency_code: instansi\n",
            1,
        ),
        encoding="utf-8",
    )
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(mappings),
        national_url="http://127.0.0.1:9",  # sync is off: nothing is sent
        log_format="json",
    )
    container = build_container(settings, environ=TENANT_ENV)
    app = create_app(container, run_sync=False)
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=scaled(10)) as client:
        yield Gateway(client, container.factory, container)


def stored(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with factory() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(model))
            for model in (Complaint, InboundMessage, OutboxJob)
        )


def test_the_api_refuses_an_unknown_agency_naming_agency_code(gateway: Gateway) -> None:
    answer = gateway.http.post(
        "/channels/api/lampung/complaints",
        json={**COMPLAINT, "agency_code": "18-DISHUB-LAMA"},
        headers=KEY,
    )
    assert answer.status_code == 422, answer.text
    [field] = answer.json()["error"]["fields"]
    assert field["field"] == "agency_code" and "'18-DISHUB-LAMA'" in field["message"]
    assert stored(gateway.factory) == (0, 0, 0)

    known = gateway.http.post(
        "/channels/api/lampung/complaints",
        json={**COMPLAINT, "agency_code": "18-DISHUB"},
        headers=KEY,
    )
    assert known.status_code == 202, known.text
    found = gateway.http.get(f"/complaints/{known.json()['id']}", headers=KEY).json()
    assert found["agency_code"] == "18-DISHUB"  # the one given, not the routing's


def test_the_call_centre_push_refuses_it_naming_its_column(gateway: Gateway) -> None:
    url = "/channels/callcenter/lampung/tickets"
    single = gateway.http.post(url, json={**TICKET, "instansi": "TIDAK-ADA"}, headers=KEY)
    assert single.status_code == 422, single.text
    [field] = single.json()["error"]["fields"]
    assert field["field"] == "instansi" and "'TIDAK-ADA'" in field["message"]
    batch = gateway.http.post(
        url,
        json=[
            {**TICKET, "ticket_no": "CC-AG-2", "instansi": "TIDAK-ADA"},
            {**TICKET, "ticket_no": "CC-AG-3", "instansi": "1871-DPU"},
        ],
        headers=KEY,
    )
    results = batch.json()["results"]
    assert (results[0]["result"], results[0]["column"]) == ("rejected", "instansi")
    assert results[1]["result"] == "created"
    assert stored(gateway.factory)[0] == 1


def test_the_import_rejects_the_row_naming_its_column(gateway: Gateway, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "ticket_no;subject;notes;kategori;kode_wilayah;instansi\n"
        f"CC-AG-4;Jalan;{TICKET['notes']};JALAN;18.71;1871-DPU\n"
        f"CC-AG-5;Jalan;{TICKET['notes']};JALAN;18.71;PU-KOTA-LAMA\n",
        encoding="utf-8",
    )
    tenants = gateway.container.tenants  # type: ignore[attr-defined]
    catalogue = gateway.container.catalogue  # type: ignore[attr-defined]
    counts = import_file(gateway.factory, ticket_mapping(tenants["lampung"], catalogue), path)
    assert (counts.created, counts.rejected) == (1, 1)
    assert counts.rejects is not None
    with counts.rejects.open(encoding="utf-8-sig", newline="") as f:
        [row] = list(csv.DictReader(f))
    assert (row["row"], row["column"], row["ticket_no"]) == ("3", "instansi", "CC-AG-5")
    assert "'PU-KOTA-LAMA'" in row["reason"]
    assert stored(gateway.factory)[0] == 1
