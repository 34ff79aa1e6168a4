"""The oversight page in a real browser: Debian's Chromium, headless, over loopback.

The gateway holds the hand-computed fixture (tests/oversight_fixture.py: Sumatera Barat,
Sijunjung and Kota Padang, December 2026) on the fixture's clock. Sumatera Barat's
operator opens /ops/pengawasan, reads the fixture's figures, clicks Sijunjung's
"past the finish date" figure and lands on exactly those two complaints, then opens
one; Sijunjung's operator cannot open the province's page. Screenshots
``pengawasan.png`` and ``pengawasan-drill.png`` go to ``GATEWAY_SCREENSHOTS``
(``make screenshots``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.ops import accounts
from gateway.settings import Settings
from tests import oversight_fixture as fx
from tests.support import ROOT, TENANT_ENV, serve_in_thread

pytestmark = pytest.mark.browser
PASSWORD = "kopi-tubruk-pagi-hari"
#: wide enough for the figures tables (17 columns) to show whole in the screenshot
SIZE = {"width": 1600, "height": 900}


@dataclass
class Gateway:
    base: str
    factory: sessionmaker[Session]
    #: the fixture's complaint ids by case key
    ids: dict[str, str]


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[Gateway]:
    """The gateway without its sync, holding the fixture's complaints, on its clock."""
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        national_url="http://127.0.0.1:9",
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    factory = container.factory
    ids = fx.build(factory)
    accounts.add_operator(factory, "sari", PASSWORD, "tenant", "sumbar", display_name="Sari")
    accounts.add_operator(factory, "joni", PASSWORD, "tenant", "sijunjung", display_name="Joni")
    app = create_app(container, run_sync=False)
    app.state.ops_clock = lambda: fx.NOW
    with serve_in_thread(app) as base:
        # once started: start-up reads every tenant's channels, which the fixture's lack
        container.tenants["padang"] = fx.TENANTS["padang"]
        yield Gateway(base, factory, ids)


def sign_in(browser: Browser, gw: Gateway, username: str) -> Page:
    page = browser.new_context(viewport=SIZE, locale="id-ID").new_page()
    page.goto(f"{gw.base}/ops/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    assert page.url == f"{gw.base}/ops", page.inner_text("body")
    return page


def test_province_reads_its_figures_and_drills_down_to_a_regencys_complaints(
    browser: Browser, gateway: Gateway, screenshots: Path
) -> None:
    gw = gateway
    page = sign_in(browser, gw, "sari")
    page.goto(f"{gw.base}/ops/pengawasan?period={fx.PERIOD}")
    expect(page.locator("h1")).to_have_text("Pengawasan")
    expect(page.locator(".oversight-head .tenant-name")).to_have_text(
        "Pemerintah Provinsi Sumatera Barat"
    )
    expect(page.locator(".oversight-head .period")).to_have_text(
        "Desember 2026 (2026-12-01 s.d. 2026-12-31, WIB)"
    )
    total = page.locator("#total-row")
    expect(total.locator("td.received")).to_have_text("21")
    expect(total.locator("td.followed_up")).to_have_text("11")
    expect(total.locator("td.finished")).to_have_text("10")
    expect(total.locator("td.follow_up_rate")).to_have_text("47,6%")  # 10 of 21
    expect(total.locator("td.finish_rate")).to_have_text("38,1%")  # 8 of 21
    expect(total.locator("td.median_days_to_finish")).to_have_text("8,0")
    expect(total.locator("td.over_sla_verify")).to_have_text("4")
    sijunjung = page.locator("#region-sijunjung")
    expect(sijunjung.locator("td.received")).to_have_text("4")
    expect(sijunjung.locator("td.over_sla_finish")).to_have_text("2")
    expect(sijunjung.locator("td.active")).to_have_text("aktif")
    expect(page.locator("#region-padang td.active")).to_have_text("tidak aktif")
    expect(page.locator("#by-agency td.name")).to_have_count(len(fx.EXPECTED_AGENCY_ORDER))
    expect(page.locator("#by-agency tbody tr").first.locator("td.rank")).to_have_text("1")
    expect(page.locator("dl.definitions")).to_contain_text("Tingkat tindak lanjut")
    expect(page.locator("svg.trend rect.received")).to_have_count(12)
    expect(page.locator("a.download")).to_have_count(3)
    page.screenshot(path=screenshots / "pengawasan.png", full_page=True)

    sijunjung.locator("td.over_sla_finish a").click()
    page.wait_for_url("**/ops/pengawasan/pengaduan?*")
    expect(page.locator("h1")).to_have_text("Pengaduan di balik angka")
    expect(page.locator(".drill-head .region")).to_have_text("Pemerintah Kabupaten Sijunjung")
    rows = page.locator("#drilled tr.complaint")
    expect(rows).to_have_count(2)
    listed = {r.get_attribute("id") for r in rows.all()}
    assert listed == {f"complaint-{gw.ids[key]}" for key in ("J2", "J5")}
    page.screenshot(path=screenshots / "pengawasan-drill.png", full_page=True)

    page.locator(f"#complaint-{gw.ids['J2']} a").click()
    page.wait_for_url(f"{gw.base}/ops/complaints/{gw.ids['J2']}")

    other = sign_in(browser, gw, "joni")
    answer = other.goto(f"{gw.base}/ops/pengawasan?tenant=sumbar&period={fx.PERIOD}")
    assert answer is not None and answer.status == 404
    own = other.goto(f"{gw.base}/ops/pengawasan?period={fx.PERIOD}")
    assert own is not None and own.status == 200
    expect(other.locator("#total-row td.received")).to_have_text("4")
