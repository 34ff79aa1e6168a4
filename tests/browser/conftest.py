"""Browser fixtures: Debian's Chromium, headless, driven by Playwright.

Playwright downloads no browser here: it starts ``/usr/bin/chromium`` (the Makefile
installs Debian's package). The flags keep Chromium from calling out to Google's
services, which this machine's closed network refuses.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = os.environ.get("GATEWAY_TEST_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Not session-wide: while Playwright runs, its event loop is the main thread's, and
    # later tests that run their own loop there find it "running" (coroutines never awaited)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make system-packages` installs Debian's chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where the pages' screenshots go: ``GATEWAY_SCREENSHOTS`` (``make screenshots``
    sets docs/screenshots), else the test's own temporary folder."""
    folder = Path(os.environ.get("GATEWAY_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
