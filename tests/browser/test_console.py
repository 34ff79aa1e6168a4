"""The operator console in a real browser: Debian's Chromium, headless, over loopback.

A province's admin signs in, finds a submission the national registry refused (an
agency code it no longer lists), corrects the value, replays it and sees the
complaint reach the sandbox registry; a tenant's operator fixes a quarantined portal
record the same way, and cannot open another tenant's complaint by its URL.
Screenshots of the main pages go to ``GATEWAY_SCREENSHOTS`` (``make screenshots``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.domain.complaint import ComplaintDraft
from gateway.migrations import upgrade
from gateway.ops import accounts
from gateway.routing import route
from gateway.settings import Settings
from gateway.storage.intake import record_complaint
from gateway.storage.models import Complaint, InboundMessage, OutboxJob
from gateway.tenants import load_tenants
from tests.support import (
    ROOT,
    SANDBOX_ADMIN,
    SANDBOX_ADMIN_TOKEN,
    TENANT_ENV,
    serve_in_thread,
    wait_until,
)

pytestmark = pytest.mark.browser
PASSWORD = "kopi-tubruk-pagi-hari"
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
SIZE = {"width": 1280, "height": 860}


@dataclass
class Gateway:
    base: str
    factory: sessionmaker[Session]


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    """The gateway with its sync running against the in-process sandbox registry."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_admin_token=SANDBOX_ADMIN_TOKEN,
        sandbox_step_seconds=600,  # the registry keeps complaints as submitted
        sandbox_archive_rate=0,
        dispatch_interval=0.1,
        pull_interval=0.2,
        backoff_base=0.2,
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    factory = container.factory
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi Santoso")
    accounts.add_operator(factory, "rina", PASSWORD, "tenant", "kalsel", display_name="Rina")
    with serve_in_thread(create_app(container)) as base:
        yield Gateway(base, factory)


def file_complaint(gw: Gateway, ref: str, **extra: object) -> str:
    body = {
        "source_ref": ref,
        "title": f"Jalan berlubang {ref}",
        "content": "Jalan berlubang besar di depan pasar Kedaton, dua motor sudah jatuh.",
        "region_code": "18.71",
        "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
        **extra,
    }
    answer = httpx.post(f"{gw.base}/channels/api/lampung/complaints", json=body, headers=KEY)
    assert answer.status_code == 202, answer.text
    complaint_id: str = answer.json()["id"]
    return complaint_id


def file_withdrawn_agency(gw: Gateway, ref: str, agency: str) -> str:
    """A complaint taken while ``agency`` was still national (the registry has withdrawn it
    since; intake now refuses an agency the catalogue does not list): stored as intake
    stores it, so the registry is the one to refuse it."""
    draft = ComplaintDraft(
        tenant="lampung",
        channel="api",
        source_ref=ref,
        title=f"Jalan berlubang {ref}",
        content="Jalan berlubang besar di depan pasar Kedaton, dua motor sudah jatuh.",
        region_code="18.71",
        agency_code=agency,
    )
    tenant = load_tenants(ROOT / "mappings", TENANT_ENV)["lampung"]
    return record_complaint(gw.factory, route(tenant, draft), "{}", "application/json").complaint_id


def submit_job(gw: Gateway, complaint_id: str) -> OutboxJob | None:
    with gw.factory() as session:
        return session.scalars(
            select(OutboxJob).where(
                OutboxJob.complaint_id == complaint_id,  # type: ignore[arg-type]
                OutboxJob.kind == "submit",  # type: ignore[arg-type]
            )
        ).first()


def quarantine(gw: Gateway) -> str:
    """A LAPORPAMAN record the pull could not map (a date that does not exist)."""
    record = {
        "id_laporan": "LP-2026-0042",
        "judul_laporan": "Lampu jalan mati",
        "isi_laporan": "Lampu jalan di Jl. A. Yani km 3 mati sejak seminggu, gelap sekali.",
        "kategori": "Jalan dan Jembatan",
        "nama_pelapor": "Ahmad Fauzi",
        "no_hp": "0813 5555 1234",
        "kode_wilayah": "63.71",
        "tanggal_kejadian": "2026-02-31",
    }
    row = InboundMessage(
        id=str(uuid.uuid4()),
        tenant="kalsel",
        channel="webform",
        source_ref=record["id_laporan"],
        content_type="application/json",
        payload=json.dumps(record),
        state="quarantined",
        error="tanggal_kejadian: is not a date in the form %Y-%m-%d",
        received_at=datetime.now(UTC),
    )
    with gw.factory() as session, session.begin():
        session.add(row)
    return row.id


def sign_in(browser: Browser, gw: Gateway, username: str) -> Page:
    page = browser.new_context(viewport=SIZE, locale="id-ID").new_page()
    page.goto(f"{gw.base}/ops/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    assert page.url == f"{gw.base}/ops", page.inner_text("body")
    return page


def tracking_id(page: Page) -> str | None:
    """The complaint page's national tracking ID once it has one (reloading the page)."""
    page.reload()
    shown = page.locator("dt:text-is('ID pelacakan') + dd").inner_text().strip()
    return shown if shown != "-" else None


def in_sandbox(gw: Gateway, tracking: str) -> dict:
    answer = httpx.get(
        f"{gw.base}/sandbox/_sandbox/complaints", params={"limit": 500}, headers=SANDBOX_ADMIN
    )
    found = [c for c in answer.json()["items"] if c["tracking_id"] == tracking]
    assert len(found) == 1, found
    return found[0]


def test_admin_fixes_a_refused_submission_and_it_reaches_the_registry(
    browser: Browser, gateway: Gateway, screenshots: Path
) -> None:
    gw = gateway
    for ref in ("CC-LPG-0101", "CC-LPG-0102", "CC-LPG-0103"):
        file_complaint(gw, ref)
    late = file_complaint(gw, "CC-LPG-0099")
    refused = file_withdrawn_agency(gw, "CC-LPG-0104", "18-DISHUB-LAMA")
    job = wait_until(
        lambda: (j := submit_job(gw, refused)) is not None and j.state == "failed" and j,
        timeout=20,
        what="the registry to refuse the old agency code",
    )
    assert "agency_code" in (job.last_error or "")
    with gw.factory() as session, session.begin():  # past its verification due date
        session.execute(
            update(Complaint)
            .where(Complaint.id == late)  # type: ignore[arg-type]
            .values(verify_due=date.today() - timedelta(days=3), status="submitted")
        )
    quarantine(gw)

    page = sign_in(browser, gw, "budi")
    expect(page.locator("h1")).to_have_text("Ringkasan")
    expect(page.locator("#tenant-lampung td.received")).to_have_text("5")
    page.screenshot(path=screenshots / "overview.png", full_page=True)

    page.get_by_role("link", name="Pengaduan").first.click()
    expect(page.get_by_role("link", name="CC-LPG-0104")).to_be_visible()
    page.screenshot(path=screenshots / "complaints.png", full_page=True)

    page.get_by_role("link", name="Tugas gagal").click()
    row = page.locator(f"#job-{job.id}")
    expect(row).to_contain_text("agency_code")
    page.screenshot(path=screenshots / "failed-jobs.png", full_page=True)

    row.get_by_role("link", name="Perbaiki").click()
    expect(page.locator("label.named")).to_contain_text("agency_code")
    agency = page.locator("input[name=agency_code]")
    expect(agency).to_have_value("18-DISHUB-LAMA")
    agency.fill("18-DISHUB-X")  # a typo first: the page names the field, nothing is sent
    page.get_by_role("button", name="Simpan dan kirim ulang").click()
    expect(page.locator("label.named .error")).to_contain_text("tidak ada di katalog nasional")
    assert submit_job(gw, refused).state == "failed"  # type: ignore[union-attr]
    page.locator("input[name=agency_code]").fill("18-DISHUB")
    page.screenshot(path=screenshots / "fix-and-replay.png", full_page=True)
    page.get_by_role("button", name="Simpan dan kirim ulang").click()
    page.wait_for_url(f"{gw.base}/ops/complaints/{refused}")

    tracking = wait_until(lambda: tracking_id(page), timeout=20, what="the tracking ID")
    national = in_sandbox(gw, tracking)
    assert national["external_ref"] and national["account"]
    with gw.factory() as session:
        stored = session.get(Complaint, refused)
        assert stored is not None and stored.agency_code == "18-DISHUB"
        assert stored.tracking_id == tracking
    audit = page.locator("tr.audit-entry .action")
    expect(audit).to_have_text(["memperbaiki dan mengirim ulang", "mengulang tugas"])
    expect(page.locator(".reporter-phone")).not_to_contain_text("3456-7890")  # masked
    page.screenshot(path=screenshots / "complaint.png", full_page=True)

    page.get_by_role("link", name="SLA").click()
    expect(page.locator("main table")).to_contain_text("Jalan berlubang CC-LPG-0099")
    page.screenshot(path=screenshots / "sla.png", full_page=True)


def test_tenant_operator_replays_a_quarantined_record_and_sees_only_its_tenant(
    browser: Browser, gateway: Gateway, screenshots: Path
) -> None:
    gw = gateway
    lampung = file_complaint(gw, "CC-LPG-0201")
    inbound_id = quarantine(gw)

    page = sign_in(browser, gw, "rina")
    for url in (f"/ops/complaints/{lampung}", f"/ops/jobs/{submit_job(gw, lampung).id}/fix"):  # type: ignore[union-attr]
        answer = page.goto(f"{gw.base}{url}")
        assert answer is not None and answer.status == 404, url
        expect(page.locator("h1")).to_have_text("Tidak ditemukan")
    page.goto(f"{gw.base}/ops/complaints")
    expect(page.get_by_role("link", name="CC-LPG-0201")).to_have_count(0)

    page.get_by_role("link", name="Karantina").click()
    page.screenshot(path=screenshots / "quarantine.png", full_page=True)
    page.locator(f"#input-{inbound_id}").get_by_role("link").click()
    expect(page.locator("label.named")).to_contain_text("tanggal_kejadian")
    expect(page.locator("main")).not_to_contain_text("Ahmad")  # the reporter stays masked
    page.locator("input[name='field:tanggal_kejadian']").fill("2026-02-28")
    page.get_by_role("button", name="Proses ulang").click()
    page.wait_for_url(f"{gw.base}/ops/complaints/*")
    tracking = wait_until(lambda: tracking_id(page), timeout=20, what="the tracking ID")
    assert in_sandbox(gw, tracking)["account"]
    with gw.factory() as session:
        made = session.scalars(
            select(Complaint).where(Complaint.source_ref == "LP-2026-0042")  # type: ignore[arg-type]
        ).one()
        assert (made.tenant, str(made.incident_date)) == ("kalsel", "2026-02-28")
        assert made.reporter_name == "Ahmad Fauzi"
