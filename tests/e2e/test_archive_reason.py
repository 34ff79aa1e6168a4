"""An archived complaint's notice tells the citizen the registry's reason, by SMS and on
Telegram (issue 19, point 4): the in-process sandbox archives every complaint at
verification with one of its reasons, the puller brings it back, the notice carries it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e import sms_support
from tests.e2e.sms_support import SULBAR, URL, Aggregator, signed
from tests.e2e.telegram_support import (
    button_update,
    complaints,
    telegram_gateway,
    text_update,
    until_summary,
)
from tests.support import TENANT_ENV, wait_until

pytestmark = pytest.mark.e2e

#: every complaint archived at verification, soon after it is submitted
ARCHIVING = {"sandbox_step_seconds": 0.3, "sandbox_archive_rate": 1, "pull_interval": 0.2}


def archive_reason(http: httpx.Client, tracking_id: str, tenant: str) -> str:
    """The reason the registry archived the complaint with: the archive's response."""
    token = {"Authorization": f"Bearer {TENANT_ENV[f'GATEWAY_{tenant.upper()}_NATIONAL_TOKEN']}"}
    detail = http.get(f"/sandbox/api/v1/complaints/{tracking_id}", headers=token).json()
    assert detail["status"] == "diarsipkan", detail
    [archive] = [h for h in detail["history"] if h["status"] == "diarsipkan"]
    reason = str(archive["response"])
    assert reason.startswith("Laporan diarsipkan karena")
    return reason


def assert_tells(notice: str, tracking_id: str, reason: str) -> None:
    assert f"laporan {tracking_id} diarsipkan dan tidak dapat ditindaklanjuti: " in notice
    assert reason.rstrip(".") in notice, notice
    assert ": -." not in notice


@pytest.fixture
def sms_gateway(tmp_path: Path) -> Iterator[tuple[httpx.Client, Aggregator]]:
    with sms_support.sms_gateway(tmp_path, **ARCHIVING) as made:
        yield made


def test_an_archived_sms_complaint_is_told_the_registry_reason(
    sms_gateway: tuple[httpx.Client, Aggregator],
) -> None:
    http, aggregator = sms_gateway
    sms = {
        "msgid": "AGG-IN-ARSIP",
        "msisdn": "6285211113333",
        "message": "lapor#Jembatan gantung di Mamuju putus, anak sekolah menyeberang sungai",
    }
    raw, headers = signed(sms)
    assert http.post(URL, content=raw, headers=headers).status_code == 200

    def archived() -> dict[str, Any] | None:
        items = http.get("/complaints", params={"channel": "sms"}, headers=SULBAR).json()["items"]
        return items[0] if items and items[0]["status"] == "rejected" else None

    tracking = wait_until(archived, timeout=20, what="the archive")["tracking_id"]
    reason = archive_reason(http, tracking, "sulbar")

    def notice() -> str | None:
        texts = [m["message"] for m in aggregator.messages() if m["msisdn"] == "6285211113333"]
        return next((t for t in texts if "diarsipkan dan tidak dapat" in t), None)

    assert_tells(wait_until(notice, timeout=20, what="the archive SMS"), tracking, reason)


def test_an_archived_telegram_complaint_is_told_the_registry_reason(tmp_path: Path) -> None:
    with telegram_gateway(tmp_path, **ARCHIVING) as gw:
        typed = "Lampu jalan di depan SDN 3 Padang mati sejak kemarin, gelap sekali malam hari"
        gw.post(text_update(typed, 101))
        until_summary(gw, where="depan SDN 3 Padang")
        gw.post(button_update("send:1"))
        complaint = wait_until(
            lambda: (c := complaints(gw)) and c[0]["status"] == "rejected" and c[0],
            timeout=20,
            what="the archive",
        )
        tracking = complaint["tracking_id"]
        reason = archive_reason(gw.http, tracking, "sumbar")
        told = gw.wait_said("diarsipkan dan tidak dapat", timeout=20)
        assert_tells(told["text"], tracking, reason)
