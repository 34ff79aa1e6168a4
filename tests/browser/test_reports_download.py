"""The oversight reports downloaded in a real browser (issue 20, point 3): Sumatera
Barat's operator signs in to the console in Debian's Chromium, downloads the XLSX from
the oversight page's link and the PDF from ``/ops/pengawasan/unduh``, and both open with
the province's name, the period and its figures (complaints of the province and of
Sijunjung, a regency below it). Chromium's PDF viewer shows the PDF for the README's
screenshot (``make screenshots``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.domain.complaint import ComplaintDraft
from gateway.domain.zones import WIB, local
from gateway.migrations import upgrade
from gateway.ops import accounts
from gateway.settings import Settings
from gateway.storage.intake import record_complaint
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread, wait_until

pytestmark = pytest.mark.browser
PASSWORD = "kopi-tubruk-pagi-hari"
SIZE = {"width": 1280, "height": 860}
STORED = {"sumbar": 3, "sijunjung": 2}
REGION = {"sumbar": "13.71", "sijunjung": "13.09"}


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        national_url="http://127.0.0.1:9",  # sync is off: nothing is sent
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    factory = container.factory
    accounts.add_operator(factory, "sari", PASSWORD, "tenant", "sumbar", display_name="Sari")
    for tenant, count in STORED.items():
        for i in range(count):
            draft = ComplaintDraft(
                tenant=tenant,
                channel="api",
                source_ref=f"B-{tenant}-{i}",
                title="Jalan rusak",
                content="Jalan rusak parah di depan pasar, dua motor sudah jatuh.",
                region_code=REGION[tenant],
            )
            record_complaint(factory, draft, "{}", "application/json")
    with serve_in_thread(create_app(container, run_sync=False)) as url:
        yield url


def sign_in(browser: Browser, base: str) -> Page:
    context = browser.new_context(viewport=SIZE, locale="id-ID", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(scaled(90_000))  # a report is computed and drawn on demand
    page.goto(f"{base}/ops/login")
    page.fill("#username", "sari")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    assert page.url == f"{base}/ops", page.inner_text("body")
    return page


def test_the_xlsx_and_pdf_downloads_open_with_the_figures(
    browser: Browser, base: str, tmp_path: Path, screenshots: Path
) -> None:
    month = local(datetime.now(UTC), WIB).strftime("%Y-%m")
    page = sign_in(browser, base)
    page.goto(f"{base}/ops/pengawasan?tenant=sumbar&period={month}")
    link = page.locator('a[href*="/ops/pengawasan/unduh"][href*="format=xlsx"]').first
    with page.expect_download() as xlsx_download:
        link.click()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename == f"pengawasan-sumbar-{month}.xlsx"
    xlsx_path = tmp_path / xlsx.suggested_filename
    xlsx.save_as(xlsx_path)

    url = f"{base}/ops/pengawasan/unduh?tenant=sumbar&period={month}&format=pdf"
    with page.expect_download() as pdf_download:
        page.evaluate("url => { window.location.href = url }", url)
    pdf = pdf_download.value
    assert pdf.suggested_filename == f"pengawasan-sumbar-{month}.pdf"
    pdf_path = tmp_path / pdf.suggested_filename
    pdf.save_as(pdf_path)

    book = load_workbook(xlsx_path)
    assert book.sheetnames == [
        "Ringkasan",
        "Kabupaten-Kota",
        "Instansi",
        "Kanal",
        "Topik",
        "Tren Bulanan",
    ]
    lines = [r[:2] for r in book["Ringkasan"].iter_rows(values_only=True)]
    assert ("Instansi pengawas", "Pemerintah Provinsi Sumatera Barat") in lines
    assert ("Diterima", sum(STORED.values())) in lines
    regions = {
        r[1]: r[2] for r in book["Kabupaten-Kota"].iter_rows(min_row=5, values_only=True) if r[1]
    }
    assert regions == STORED

    reader = PdfReader(pdf_path)
    first = reader.pages[0].extract_text()
    assert "Laporan Pengawasan Pengaduan" in first
    assert "Pemerintah Provinsi Sumatera Barat" in first
    assert f"Halaman 1 dari {len(reader.pages)}" in first
    assert "Pemerintah Kabupaten Sijunjung" in reader.pages[1].extract_text()
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4

    # the PDF as Chromium's own viewer shows it: the README's picture of a report
    viewer = browser.new_page(viewport={"width": 1000, "height": 1250})
    try:
        viewer.goto(pdf_path.as_uri())

        # the viewer draws its pages after "load": a blank viewer's picture is a few KB
        def drawn() -> bytes | None:
            png = viewer.screenshot()
            return png if len(png) > 40_000 else None

        shot = wait_until(drawn, what="Chromium's PDF viewer to draw the report")
        (screenshots / "pengawasan-laporan-pdf.png").write_bytes(shot)
    finally:
        viewer.close()
