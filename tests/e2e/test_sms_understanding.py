"""SMS read before a ticket is made, through a real Kannel and the sandbox registry:
thanks and chatter file nothing, the same text twice is one national complaint, more
about an open complaint is a comment on it, and a new complaint brings its place and
date (issue 18)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from gateway.api.app import create_app
from gateway.bootstrap import Container
from gateway.domain.zones import WIB
from tests.support import TENANT_ENV, free_port, serve_in_thread, wait_until
from tests.support_kannel import Kannel, kannel, missing, sumbar_gateway

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.kannel,
    pytest.mark.skipif(missing() is not None, reason=missing() or ""),
]
KEY = TENANT_ENV["GATEWAY_SUMBAR_KANNEL_KEY"]
SUMBAR = {"X-API-Key": TENANT_ENV["GATEWAY_SUMBAR_API_KEY"]}
REGISTRY = {"Authorization": f"Bearer {TENANT_ENV['GATEWAY_SUMBAR_NATIONAL_TOKEN']}"}
CITIZEN, CITIZEN_MSISDN = "081234567890", "6281234567890"
OTHER, OTHER_MSISDN = "081311112222", "6281311112222"
SHORT_CODE = "1708"


@dataclass
class Line:
    http: httpx.Client
    kannel: Kannel
    container: Container
    registry_db: Path

    def sms(self, number: str, body: str) -> None:
        self.kannel.send_mo(number, SHORT_CODE, body)

    def complaints(self) -> list[dict[str, Any]]:
        answer = self.http.get("/complaints", params={"channel": "sms"}, headers=SUMBAR)
        return list(answer.json()["items"])

    def sms_to(self, msisdn: str) -> list[str]:
        return self.kannel.texts_to(msisdn)

    def wait_sms(self, msisdn: str, pattern: str) -> str:
        return self.kannel.wait_text(msisdn, pattern)

    def notes(self) -> list[str]:
        """What each stored SMS was read as, oldest first."""
        with self.container.engine.connect() as conn:
            query = "SELECT error FROM inbound_message WHERE channel = 'sms' ORDER BY received_at"
            return [str(row[0]) for row in conn.execute(text(query))]

    def wait_notes(self, count: int) -> list[str]:
        def stored() -> list[str] | None:
            notes = self.notes()
            return notes if len(notes) >= count else None

        return wait_until(stored, timeout=15, what=f"{count} stored SMS")

    def registry_payloads(self) -> list[dict[str, Any]]:
        """What the national registry received, as it stored it."""
        if not self.registry_db.exists():
            return []
        with sqlite3.connect(self.registry_db) as db:
            rows = db.execute("SELECT payload FROM complaints ORDER BY id").fetchall()
        return [json.loads(row[0]) for row in rows]

    def registry_detail(self, tracking: str) -> dict[str, Any]:
        answer = self.http.get(f"/sandbox/api/v1/complaints/{tracking}", headers=REGISTRY)
        return dict(answer.json())


@contextmanager
def line(tmp_path: Path, sandbox_step_seconds: float) -> Iterator[Line]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with kannel(tmp_path, f"{base}/channels/sms/kannel/sumbar?key={KEY}") as k:
        container = sumbar_gateway(
            tmp_path, k, callback_url=base, sandbox_step_seconds=sandbox_step_seconds
        )
        with serve_in_thread(create_app(container), port=port), httpx.Client(base_url=base) as http:
            yield Line(http, k, container, tmp_path / "sandbox.db")


@pytest.fixture
def moving(tmp_path: Path) -> Iterator[Line]:
    """The registry moves a complaint on every half second, to resolved."""
    with line(tmp_path, 0.5) as it:
        yield it


@pytest.fixture
def still(tmp_path: Path) -> Iterator[Line]:
    """The registry keeps its complaints as submitted: they stay open."""
    with line(tmp_path, 0) as it:
        yield it


def yesterday_in_padang() -> set[str]:
    """Yesterday in WIB, read around the test (it may cross midnight)."""
    now = datetime.now(WIB.info)
    return {(now - timedelta(days=1)).date().isoformat(), now.date().isoformat()}


def test_thanks_after_a_status_message_and_ok_makasih_file_nothing(moving: Line) -> None:
    moving.sms(CITIZEN, "LAPOR jalan berlubang di Jl. Khatib Sulaiman Padang, motor sering jatuh")
    [complaint] = wait_until(moving.complaints, timeout=15, what="the complaint")
    tracking = wait_until(lambda: moving.complaints()[0]["tracking_id"], timeout=15, what="ID")
    moving.wait_sms(CITIZEN_MSISDN, rf"Laporan {tracking} telah selesai")  # the last status

    # issue 18: the thank-you reply to the status message became a national ticket
    moving.sms(CITIZEN, "terima kasih pak, jalannya sudah diperbaiki")
    moving.wait_sms(CITIZEN_MSISDN, "^Sama-sama, terima kasih atas partisipasi Anda")
    # and so did a bare "ok makasih pak", from a number with no report at all
    moving.sms(OTHER, "ok makasih pak")
    moving.wait_sms(OTHER_MSISDN, "^Sama-sama, terima kasih atas partisipasi Anda")

    notes = moving.wait_notes(3)
    assert notes[0] == "keyword: new complaint"
    assert notes[1].startswith("read as thanks (") and notes[2].startswith("read as thanks (")
    assert [c["id"] for c in moving.complaints()] == [complaint["id"]]
    assert len(moving.registry_payloads()) == 1


def test_the_same_text_twice_is_one_national_complaint_with_its_place_and_date(
    still: Line,
) -> None:
    report = "Jalan berlubang besar di Jl. Veteran Padang, kemarin ada motor jatuh"
    days = yesterday_in_padang()
    still.sms(CITIZEN, report)  # free text: no keyword
    [complaint] = wait_until(still.complaints, timeout=15, what="the complaint")
    assert complaint["content"] == report
    assert complaint["location"]["text"] == "Jl. Veteran Padang"
    assert complaint["region_code"] == "13.71"  # Kota Padang, named in the text
    assert complaint["incident_date"] in days
    tracking = wait_until(lambda: still.complaints()[0]["tracking_id"], timeout=15, what="ID")
    acknowledged = still.wait_sms(CITIZEN_MSISDN, tracking)
    assert "Di mana lokasinya?" not in acknowledged  # the place was in the text

    # the citizen sends it again (its case and punctuation typed differently)
    still.sms(CITIZEN, "jalan berlubang besar di jl veteran padang... kemarin ada motor jatuh!")
    answer = still.wait_sms(CITIZEN_MSISDN, "^Laporan ini sudah kami terima")
    assert answer == (
        f"Laporan ini sudah kami terima dengan nomor {tracking}. Kirim STATUS {tracking} "
        "untuk perkembangannya."
    )
    notes = still.wait_notes(2)
    assert notes[0].startswith("read as new (") and notes[1] == f"repeats {complaint['id']}"
    assert len(still.complaints()) == 1

    [received] = still.registry_payloads()  # one national complaint, with place and date
    assert received["location"] == "Jl. Veteran Padang"
    assert received["incident_date"] == complaint["incident_date"]
    assert received["region_code"] == "13.71"


def test_more_about_an_open_complaint_is_a_comment_on_it(still: Line) -> None:
    still.sms(CITIZEN, "Bantuan PKH ibu saya sudah tiga bulan tidak cair, tolong dibantu")
    [complaint] = wait_until(still.complaints, timeout=15, what="the complaint")
    assert complaint["location"] is None
    tracking = wait_until(lambda: still.complaints()[0]["tracking_id"], timeout=15, what="ID")
    # no place in the text: the acknowledgement asks for it
    acknowledged = still.wait_sms(CITIZEN_MSISDN, tracking)
    assert acknowledged.endswith(
        "Di mana lokasinya? Balas SMS ini dengan nama jalan, desa/kelurahan dan kecamatan."
    )

    still.sms(CITIZEN, "Jl. Sudirman depan SDN 3")
    still.wait_sms(
        CITIZEN_MSISDN, rf"^Tambahan Anda diteruskan ke SP4N-LAPOR! untuk laporan {tracking}\.$"
    )

    def comments() -> list[dict[str, Any]] | None:
        return still.registry_detail(tracking).get("comments") or None

    [comment] = wait_until(comments, timeout=15, what="the comment in the registry")
    assert comment["text"] == "Jl. Sudirman depan SDN 3"

    # a status question in words, and a greeting: answered, nothing filed
    still.sms(CITIZEN, "gimana laporan saya pak")
    still.wait_sms(CITIZEN_MSISDN, rf"^{tracking}: ")
    still.sms(CITIZEN, "halo")
    still.wait_sms(CITIZEN_MSISDN, "^Layanan pengaduan ")

    notes = still.wait_notes(4)
    assert notes[1].endswith(f": comment on {complaint['id']}")
    assert notes[2].startswith("read as status (") and notes[3].startswith("read as chatter (")
    assert len(still.complaints()) == 1 and len(still.registry_payloads()) == 1
