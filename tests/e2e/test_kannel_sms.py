"""SMS through a real Kannel (bearerbox, smsbox, its fake SMSC): a citizen's SMS reaches
the registry, the tracking ID and answers come back as SMS, delivery reports recorded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from gateway.api.app import create_app
from gateway.bootstrap import Container
from tests.support import TENANT_ENV, free_port, serve_in_thread, wait_until
from tests.support_kannel import Kannel, kannel, missing, sumbar_gateway

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.kannel,
    pytest.mark.skipif(missing() is not None, reason=missing() or ""),
]
KEY = TENANT_ENV["GATEWAY_SUMBAR_KANNEL_KEY"]
SUMBAR = {"X-API-Key": TENANT_ENV["GATEWAY_SUMBAR_API_KEY"]}
CITIZEN = "081234567890"


@dataclass
class Setup:
    http: httpx.Client
    kannel: Kannel
    container: Container
    base: str

    def complaints(self) -> list[dict]:
        answer = self.http.get("/complaints", params={"channel": "sms"}, headers=SUMBAR)
        return answer.json()["items"]

    def sms_to(self, number: str) -> list[str]:
        return self.kannel.texts_to(number)

    def wait_sms(self, number: str, pattern: str) -> str:
        return self.kannel.wait_text(number, pattern)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with kannel(tmp_path, f"{base}/channels/sms/kannel/sumbar?key={KEY}") as k:
        container = sumbar_gateway(tmp_path, k, callback_url=base)
        with serve_in_thread(create_app(container), port=port), httpx.Client(base_url=base) as http:
            yield Setup(http, k, container, base)


def test_an_sms_becomes_a_complaint_and_its_tracking_id_comes_back_by_sms(setup: Setup) -> None:
    report = "LAPOR jalan berlubang di depan SDN 3 Padang sdh 2 minggu, motor sering jatuh"
    setup.kannel.send_mo(CITIZEN, "1708", report)
    [complaint] = wait_until(setup.complaints, timeout=15, what="the complaint")
    assert complaint["content"] == report.removeprefix("LAPOR ")
    assert complaint["reporter"]["phone"] == "+6281234567890"
    assert complaint["source_ref"].startswith("kannel:")
    assert (complaint["topic_id"], complaint["topic_source"]) == (2, "model")

    tracking = wait_until(lambda: setup.complaints()[0]["tracking_id"], timeout=15, what="ID")
    acknowledged = setup.wait_sms("6281234567890", tracking)
    assert "SP4N-LAPOR!" in acknowledged

    # STATUS answers with the sender's latest complaints
    setup.kannel.send_mo(CITIZEN, "1708", "status")
    setup.wait_sms("6281234567890", rf"^{tracking}: ")
    setup.kannel.send_mo(CITIZEN, "1708", f"cek {tracking[:4]} {tracking[4:]}")
    setup.wait_sms("6281234567890", rf"^Laporan {tracking}: ")

    # Kannel's delivery reports reach the SMS the gateway sent
    def delivered() -> bool:
        with setup.container.engine.connect() as conn:
            states = [r[0] for r in conn.execute(text("SELECT status FROM sms_outbound"))]
        return bool(states) and all(s == "delivered" for s in states)

    wait_until(delivered, timeout=15, what="delivery reports")
    # the same SMS delivered twice (a retried get-url) makes one complaint
    again = setup.http.get(
        "/channels/sms/kannel/sumbar",
        params={
            "key": KEY,
            "from": CITIZEN,
            "to": "1708",
            "text": report,
            "id": complaint["source_ref"].removeprefix("kannel:"),
        },
    )
    assert again.status_code == 200 and len(setup.complaints()) == 1


def test_unicode_sms_and_bad_calls(setup: Setup) -> None:
    arabic = "LAPOR jalan rusak di depan masjid الرحمن, mohon diperbaiki 🙏"
    setup.kannel.send_mo("6281311112222", "1708", arabic)
    [complaint] = wait_until(setup.complaints, timeout=15, what="the complaint")
    assert complaint["content"] == arabic.removeprefix("LAPOR ")
    # the keyword alone: asked for the text, nothing filed
    setup.kannel.send_mo("081311112222", "1708", "LAPOR")
    setup.wait_sms("6281311112222", "^Isi laporan belum ada")
    assert len(setup.complaints()) == 1

    url = "/channels/sms/kannel/sumbar"
    assert (
        setup.http.get(
            url, params={"key": "wrong", "from": CITIZEN, "text": "x", "id": "1"}
        ).status_code
        == 401
    )
    missing_id = setup.http.get(url, params={"key": KEY, "from": CITIZEN, "text": "x"})
    assert missing_id.status_code == 422 or missing_id.status_code == 400
    assert missing_id.json()["error"]["fields"][0]["field"] == "id"
    assert setup.http.get("/channels/sms/kannel/lampung", params={"key": KEY}).status_code == 404
