"""``/docs`` and ``/redoc`` in Chromium with the network cut off: every request that is
not to the gateway on loopback is aborted, as on a province's network without internet
access. The pages must render from the gateway's own copy of Swagger UI and ReDoc
(``fastapi-offline``), no asset of the gateway may fail to load and no request may try
to leave (ReDoc's maker's logo, which its bundle always asks a CDN for, is refused by
the page's CSP inside the browser: it never reaches the network).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, SANDBOX_ADMIN_TOKEN, TENANT_ENV, TIME_SCALE, serve_in_thread

pytestmark = pytest.mark.browser
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
TIMEOUT_MS = 20_000 * TIME_SCALE


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("docs")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(folder / "sandbox.db"),
        sandbox_admin_token=SANDBOX_ADMIN_TOKEN,
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    with serve_in_thread(create_app(container, run_sync=False)) as url:
        yield url


class Offline:
    """A page whose requests leave only for loopback; what else it asked for, and what
    failed, are kept to assert on."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        page.route("**/*", self._route)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.blocked.append(request.url)
            route.abort("internetdisconnected")

    def _failed(self, request: Request) -> None:
        if urlsplit(request.url).hostname in LOOPBACK:
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response: object) -> None:
        status = getattr(response, "status", 0)
        if status >= 400:
            self.failed.append(f"{status} {getattr(response, 'url', '')}")


@pytest.fixture
def offline(browser: Browser) -> Iterator[Offline]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield Offline(page)
    finally:
        context.close()


def test_swagger_ui_renders_offline(base: str, offline: Offline, screenshots: Path) -> None:
    page = offline.page
    page.goto(f"{base}/docs")
    # Swagger UI drew the API: its title and an operation of every tag
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "lapor-gateway", timeout=TIMEOUT_MS
    )
    operations = page.locator(".swagger-ui .opblock")
    expect(operations.first).to_be_visible(timeout=TIMEOUT_MS)
    assert operations.count() > 5
    expect(page.locator(".opblock-summary-path").filter(has_text="/track/")).not_to_have_count(0)
    page.screenshot(path=str(screenshots / "docs-offline.png"))
    assert offline.blocked == [], f"/docs asked outside the gateway: {offline.blocked}"
    assert offline.failed == [], f"/docs failed to load: {offline.failed}"
    assert offline.errors == []


def test_redoc_renders_offline(base: str, offline: Offline) -> None:
    page = offline.page
    page.goto(f"{base}/redoc")
    # ReDoc drew the API: its title and the operations in the side menu
    expect(page.locator(".api-info h1")).to_contain_text("lapor-gateway", timeout=TIMEOUT_MS)
    menu = page.locator("[role=menuitem]")
    expect(menu.first).to_be_visible(timeout=TIMEOUT_MS)
    assert menu.count() > 5
    assert offline.blocked == [], f"/redoc asked outside the gateway: {offline.blocked}"
    assert offline.failed == [], f"/redoc failed to load: {offline.failed}"
    assert offline.errors == []
