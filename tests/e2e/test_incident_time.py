"""Kalimantan Selatan is WITA: a call-centre ticket with a date column and a time column
gets the right UTC instant, and the console and the agent page show it as WITA."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.cli import app as cli_app
from gateway.migrations import upgrade
from gateway.ops import accounts
from gateway.ops.models import Operator
from gateway.settings import Settings
from gateway.storage.models import Complaint
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]}
# a call centre for Kalimantan Selatan whose export has the date and the time apart
CALLCENTER = """channels:
  - id: callcenter
    type: callcenter
    fields:
      source_ref: No Tiket
      content: Keterangan
      category: Kategori
      region_code: Kode Wilayah
      incident_date: Tanggal
      incident_time: Jam
    settings:
      timezone: Asia/Makassar
"""


def kalsel_with_callcenter(tmp_path: Path) -> Path:
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    path = mappings / "kalsel.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("channels:\n", CALLCENTER, 1), encoding="utf-8"
    )
    return mappings


def ticket(day: date) -> dict[str, str]:
    return {
        "No Tiket": "KS-0001",
        "Keterangan": "Jalan berlubang besar di Jl. Ahmad Yani km 3, dua motor jatuh.",
        "Kategori": "jalan",
        "Kode Wilayah": "63.71",
        "Tanggal": day.strftime("%d/%m/%Y"),
        "Jam": "14.05",
    }


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[httpx.Client, Any]]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(kalsel_with_callcenter(tmp_path)),
        national_url="http://127.0.0.1:9",  # sync is off: nothing is sent
        log_format="json",
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    app = create_app(container, run_sync=False)
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=scaled(10)) as http:
        yield http, container.factory
    container.engine.dispose()


def test_date_and_time_columns_combine_in_wita_and_show_as_wita(
    gateway: tuple[httpx.Client, Any],
) -> None:
    http, factory = gateway
    day = date.today() - timedelta(days=3)
    pushed = http.post("/channels/callcenter/kalsel/tickets", json=ticket(day), headers=KEY)
    assert pushed.status_code == 202, pushed.text
    with factory() as session:
        stored = session.scalars(select(Complaint).where(Complaint.source_ref == "KS-0001")).one()
    at = stored.incident_at
    assert at is not None
    # 14.05 WITA is 06.05 UTC of the same day
    assert (at if at.tzinfo else at.replace(tzinfo=UTC)) == datetime(
        day.year, day.month, day.day, 6, 5, tzinfo=UTC
    )
    assert stored.incident_date == day
    shown_incident = f"{day.isoformat()} 14:05 WITA"

    # the gateway's own API
    own = http.get(f"/complaints/{stored.id}", headers=KEY).json()
    assert own["incident_date"] == day.isoformat()
    assert own["incident_at"] == f"{day.isoformat()}T14:05:00+08:00"

    # the agent page and the lookup API
    [item] = http.get(
        "/channels/callcenter/kalsel/lookup", params={"ticket": "KS-0001"}, headers=KEY
    ).json()["items"]
    assert item["incident"] == shown_incident
    assert item["incident_at"] == f"{day.isoformat()}T14:05:00+08:00"
    assert item["received"].endswith(" WITA")
    assert item["received_at"].endswith("+08:00")
    page = http.get(
        "/channels/callcenter/kalsel/agent",
        params={"q": "KS-0001"},
        auth=("agen", TENANT_ENV["GATEWAY_KALSEL_API_KEY"]),
    )
    assert page.status_code == 200
    assert f"<td>{shown_incident}</td>" in page.text
    assert not re.search(r"\dT\d\d:\d\d", page.text)  # no raw ISO timestamps

    # the console: the incident and the time received, in WITA
    created = stored.created_at.replace(tzinfo=stored.created_at.tzinfo or UTC)
    received = created.astimezone(ZoneInfo("Asia/Makassar")).strftime("%Y-%m-%d %H:%M WITA")
    operator = Operator(
        id=str(uuid.uuid4()),
        username="rina",
        password_hash="-",
        role="tenant",
        tenant="kalsel",
        display_name="Rina",
        created_at=datetime.now(UTC),
    )
    with factory() as session, session.begin():
        session.add(operator)
    token, _csrf = accounts.open_session(factory, operator)
    http.cookies.set("lapor_ops", token)
    detail = http.get(f"/ops/complaints/{stored.id}")
    assert detail.status_code == 200
    assert re.search(rf'<dd class="incident">{shown_incident}</dd>', detail.text)
    assert f"<dt>Diterima</dt><dd>{received}</dd>" in detail.text
    listing = http.get("/ops/complaints")
    assert received in listing.text


def test_the_registry_gets_the_incidents_date_and_time_with_its_offset(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(kalsel_with_callcenter(tmp_path)),
        sandbox_db=str(tmp_path / "sandbox.db"),  # the sandbox registry runs in the gateway
        sandbox_step_seconds=60,
        dispatch_interval=0.1,
        pull_interval=0.5,
        log_format="json",
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    day = date.today() - timedelta(days=3)
    try:
        app = create_app(container)
        with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=scaled(10)) as http:
            pushed = http.post("/channels/callcenter/kalsel/tickets", json=ticket(day), headers=KEY)
            assert pushed.status_code == 202, pushed.text

            def received() -> dict[str, Any] | None:
                with sqlite3.connect(tmp_path / "sandbox.db") as db:
                    row = db.execute("SELECT payload FROM complaints").fetchone()
                return json.loads(row[0]) if row else None

            payload = wait_until(received, timeout=15, what="the submission in the registry")
    finally:
        container.engine.dispose()
    assert payload["incident_date"] == day.isoformat()
    assert payload["incident_at"] == f"{day.isoformat()}T14:05:00+08:00"


def test_an_export_with_tanggal_and_jam_imports_in_wita(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "gateway.db"
    for key, value in TENANT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GATEWAY_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("GATEWAY_MAPPINGS_DIR", str(kalsel_with_callcenter(tmp_path)))
    monkeypatch.setenv("GATEWAY_NATIONAL_URL", "http://127.0.0.1:9")
    day = date.today() - timedelta(days=2)
    export = tmp_path / "kalsel.csv"
    export.write_text(
        "No Tiket;Keterangan;Kategori;Kode Wilayah;Tanggal;Jam\n"
        f"KS-1;Jalan berlubang besar di Jl. Ahmad Yani km 3.;jalan;63.71;{day:%d/%m/%Y};14.05\n"
        f"KS-2;Lampu jalan mati sepanjang Jl. Sudirman.;lampu_jalan;63.71;{day:%d/%m/%Y}"
        " 21.30;\n"
        f"KS-3;Sampah menumpuk di pasar Martapura.;sampah;63.03;{day:%d/%m/%Y};2.05 PM\n"
        f"KS-4;Air PDAM keruh sejak seminggu.;air_pdam;63.71;{day:%d/%m/%Y};\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(cli_app, ["db", "upgrade"]).exit_code == 0
    imported = runner.invoke(cli_app, ["import", "callcenter", str(export), "--tenant", "kalsel"])
    assert imported.exit_code == 0, imported.output
    with sqlite3.connect(database) as db:
        rows = dict(db.execute("SELECT source_ref, incident_at FROM complaint").fetchall())

    def utc(hour: int, minute: int) -> str:
        moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    # WITA is UTC+8: 14.05 -> 06:05, 21.30 -> 13:30, 2.05 PM -> 06:05; no time: none
    assert {ref: (at or "")[:19] for ref, at in rows.items()} == {
        "KS-1": utc(6, 5),
        "KS-2": utc(13, 30),
        "KS-3": utc(6, 5),
        "KS-4": "",
    }
