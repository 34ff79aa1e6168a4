"""Call-centre data that reaches the registry as the agents meant it.

An export imported again after an agent changed a ticket: the ticket is ``updated`` and
its new notes reach the registry as one comment per version, as the push API does;
importing the same file again changes nothing; each run's reject file is its own and a
run without rejects leaves none. A catch-all category (``Lain-lain``, ``Umum``) is
routed by the text and flagged only when the text says nothing classifiable. An agency
the national catalogue does not list is refused at intake, naming ``agency_code``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.cli import app as cli
from gateway.migrations import upgrade
from gateway.settings import Settings
from gateway.storage.models import Complaint, OutboxJob
from tests.support import ROOT, TENANT_ENV, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
TOKEN = {"Authorization": f"Bearer {TENANT_ENV['GATEWAY_LAMPUNG_NATIONAL_TOKEN']}"}
HEADER = "ticket_no;subject;notes;kategori;caller_phone;kode_wilayah;tanggal_kejadian\n"
NOTES = "Pelapor menyampaikan jalan di depan pasar Kedaton berlubang besar."
FIRST = f"CC-U-1;Jalan berlubang;{NOTES};JALAN;0812-3456-7890;18.71;21/03/2026"
OTHER = "CC-U-2;Lampu mati;Pelapor menyampaikan lampu jalan mati sejak seminggu.;PJU;;18.71;"
BROKEN = f"CC-U-3;Banjir;{NOTES};BANJIR;08-12;18.71;21/03/2026"


@pytest.fixture
def gateway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[httpx.Client, sessionmaker[Session]]]:
    database = f"sqlite:///{tmp_path / 'gateway.db'}"
    settings = Settings(
        database_url=database,
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_step_seconds=0.4,
        sandbox_archive_rate=0,
        dispatch_interval=0.1,
        pull_interval=0.2,
        backoff_base=0.2,
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    for key, value in TENANT_ENV.items():  # `gateway import` reads its settings from these
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GATEWAY_DATABASE_URL", database)
    monkeypatch.setenv("GATEWAY_MAPPINGS_DIR", str(ROOT / "mappings"))
    monkeypatch.setenv("GATEWAY_SANDBOX_DB", str(tmp_path / "cli-sandbox.db"))
    with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:
        yield http, container.factory


def _import(path: Path, *rows: str) -> list[str]:
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "callcenter", str(path), "--tenant", "lampung"])
    assert result.exit_code in (0, 1), result.output
    return result.output.splitlines()


def test_a_changed_export_reaches_the_registry_as_one_comment_per_version(
    gateway: tuple[httpx.Client, sessionmaker[Session]], tmp_path: Path
) -> None:
    http, factory = gateway
    path = tmp_path / "export.csv"
    rejects = tmp_path / "export.csv.rejects.csv"
    assert "2 baru, 0 berubah, 0 sama, 1 ditolak" in _import(path, FIRST, OTHER, BROKEN)
    assert rejects.exists()

    def tracking() -> str | None:
        items = http.get(
            "/channels/callcenter/lampung/lookup", params={"ticket": "CC-U-1"}, headers=KEY
        ).json()["items"]
        return items[0]["tracking_id"] if items else None

    tracked = wait_until(tracking, timeout=15, what="the tracking ID")

    def comments() -> list[str]:
        detail = http.get(f"/sandbox/api/v1/complaints/{tracked}", headers=TOKEN).json()
        return [c["text"] for c in detail.get("comments") or []]

    # the agent adds to the notes and fixes the phone: updated, rejects file gone
    changed = FIRST.replace(NOTES, NOTES + " Update: ada korban luka.")
    fixed = BROKEN.replace("08-12", "0812-1111-2222")
    assert "1 baru, 1 berubah, 1 sama, 0 ditolak" in _import(path, changed, OTHER, fixed)
    assert not rejects.exists()
    assert wait_until(comments, timeout=15, what="the comment") == [
        NOTES + " Update: ada korban luka."
    ]

    # the same file a third time changes nothing
    assert "0 baru, 0 berubah, 3 sama, 0 ditolak" in _import(path, changed, OTHER, fixed)
    # a second change: a second comment, and only that
    newer = changed.replace("luka.", "luka, dibawa ke RSUD.")
    assert "0 baru, 1 berubah, 2 sama, 0 ditolak" in _import(path, newer, OTHER, fixed)
    texts = wait_until(lambda: comments()[1:] and comments(), timeout=15, what="2nd comment")
    assert [t[len(NOTES) :] for t in texts] == [
        " Update: ada korban luka.",
        " Update: ada korban luka, dibawa ke RSUD.",
    ]
    assert "0 baru, 0 berubah, 3 sama, 0 ditolak" in _import(path, newer, OTHER, fixed)
    with factory() as session:  # nothing more on its way to the registry
        kinds = session.scalars(select(OutboxJob.kind)).all()
    assert sorted(kinds).count("comment") == 2


def test_a_catch_all_category_is_routed_by_its_text_and_flagged_only_when_vague(
    gateway: tuple[httpx.Client, sessionmaker[Session]], tmp_path: Path
) -> None:
    http, factory = gateway
    road = FIRST.replace("JALAN", "Lain-lain")
    vague = "CC-U-9;Hal umum;Pelapor ingin menyampaikan sesuatu, mohon dibantu.;Umum;;18.71;"
    assert "2 baru, 0 berubah, 0 sama, 0 ditolak" in _import(tmp_path / "x.csv", road, vague)

    def complaint(ticket: str) -> Complaint:
        with factory() as session:
            return session.scalars(
                select(Complaint).where(Complaint.source_ref == ticket)  # type: ignore[arg-type]
            ).one()

    routed = complaint("CC-U-1")
    assert (routed.topic_id, routed.topic_source) == (2, "model")
    assert routed.agency_code == "1871-DPU" and routed.review_reason is None
    assert "catch-all category 'Umum'" in (complaint("CC-U-9").review_reason or "")
    listed = http.get("/complaints", params={"flagged": "true"}, headers=KEY).json()
    assert [c["source_ref"] for c in listed["items"]] == ["CC-U-9"]

    # the registry gets the city's roads agency
    tracked = wait_until(
        lambda: complaint("CC-U-1").tracking_id, timeout=15, what="the tracking ID"
    )
    national = wait_until(
        lambda: http.get(f"/sandbox/api/v1/complaints/{tracked}", headers=TOKEN).json()[
            "agency_code"
        ],
        timeout=15,
        what="the registry's agency",
    )
    assert national == "1871-DPU"  # the one the gateway asked for (the text's topic)


def test_an_unknown_agency_is_refused_at_intake_and_a_known_one_reaches_the_registry(
    gateway: tuple[httpx.Client, sessionmaker[Session]],
) -> None:
    http, factory = gateway
    body = {
        "source_ref": "AG-E2E-1",
        "title": "Lampu jalan mati",
        "content": "Lampu jalan di Jl. Teuku Umar mati sejak seminggu, rawan begal malam hari.",
        "region_code": "18.71",
    }
    url = "/channels/api/lampung/complaints"
    refused = http.post(url, json={**body, "agency_code": "18-DISHUB-LAMA"}, headers=KEY)
    assert refused.status_code == 422, refused.text
    assert [f["field"] for f in refused.json()["error"]["fields"]] == ["agency_code"]
    with factory() as session:  # nothing stored, so nothing waits to fail in the outbox
        assert session.scalars(select(Complaint)).all() == []
        assert session.scalars(select(OutboxJob)).all() == []

    taken = http.post(url, json={**body, "agency_code": "18-DISHUB"}, headers=KEY)
    assert taken.status_code == 202, taken.text
    detail = f"/complaints/{taken.json()['id']}"
    tracked = wait_until(
        lambda: http.get(detail, headers=KEY).json()["tracking_id"], timeout=15, what="tracking"
    )
    national = wait_until(
        lambda: http.get(f"/sandbox/api/v1/complaints/{tracked}", headers=TOKEN).json()[
            "agency_code"
        ],
        timeout=15,
        what="the registry's agency",
    )
    assert national == "18-DISHUB"
