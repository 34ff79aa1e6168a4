"""An HTTP SMS aggregator (Sulawesi Barat's sample): signed JSON in, replies posted to its
send URL (a recording server over loopback)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.sms_support import SECRET, SULBAR, URL, Aggregator, signed, sms_gateway
from tests.support import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[httpx.Client, Aggregator]]:
    with sms_gateway(tmp_path, sandbox_step_seconds=3600, pull_interval=5) as made:
        yield made


def test_signed_sms_in_tracking_id_out(gateway: tuple[httpx.Client, Aggregator]) -> None:
    http, aggregator = gateway
    sms = {
        "msgid": "AGG-IN-77",
        "msisdn": "6285211112222",
        "message": "lapor#Jembatan gantung di Mamuju putus, anak sekolah menyeberang sungai",
    }
    raw, headers = signed(sms)
    answer = http.post(URL, content=raw, headers=headers)
    assert answer.status_code == 200 and answer.json() == {"ok": True, "duplicate": False}
    again = http.post(URL, content=raw, headers=headers)
    assert again.json() == {"ok": True, "duplicate": True}

    def tracked() -> dict | None:
        items = http.get("/complaints", params={"channel": "sms"}, headers=SULBAR).json()["items"]
        return items[0] if len(items) == 1 and items[0]["tracking_id"] else None

    complaint = wait_until(tracked, timeout=15, what="a tracking ID")
    assert complaint["content"].startswith("Jembatan gantung di Mamuju putus")
    assert complaint["reporter"]["phone"] == "+6285211112222"
    reply = wait_until(aggregator.messages, timeout=15, what="the reply")[0]
    assert reply["msisdn"] == "6285211112222" and reply["sender"] == "081140001708"
    assert complaint["tracking_id"] in reply["message"]

    # another number asking for that complaint learns nothing about it
    ask = {
        "msgid": "AGG-IN-78",
        "msisdn": "6285299998888",
        "message": f"STATUS {complaint['tracking_id']}",
    }
    raw, headers = signed(ask)
    assert http.post(URL, content=raw, headers=headers).status_code == 200
    answer = wait_until(
        lambda: [m for m in aggregator.messages() if m["msisdn"] == "6285299998888"],
        timeout=10,
        what="the answer",
    )[0]
    assert (
        answer["message"] == f"Laporan {complaint['tracking_id']} tidak ditemukan untuk nomor ini."
    )


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"headers": {"X-Signature": "00" * 32}}, 401, None),
        ({"headers": {"X-Signature": ""}}, 401, None),
        ({"body": {"msisdn": "6285211112222", "message": "lapor jalan"}}, 422, "msgid"),
        ({"body": {"msgid": "x", "message": "lapor jalan"}}, 422, "msisdn"),
        ({"raw": b"{not json"}, 422, "body"),
    ],
)
def test_bad_aggregator_calls_are_refused_naming_the_field(
    gateway: tuple[httpx.Client, Aggregator], change: dict, status: int, field: str | None
) -> None:
    http, _ = gateway
    body = change.get(
        "body", {"msgid": "A1", "msisdn": "6285211112222", "message": "lapor jalan rusak parah"}
    )
    raw, headers = signed(body)
    if "raw" in change:
        raw = change["raw"]
        headers = {
            **headers,
            "X-Signature": hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest(),
        }
    headers.update(change.get("headers", {}))
    answer = http.post(URL, content=raw, headers=headers)
    assert answer.status_code in (status, 400 if status == 422 else status), answer.text
    if field is not None:
        assert answer.json()["error"]["fields"][0]["field"] == field
    assert http.get("/complaints", params={"channel": "sms"}, headers=SULBAR).json()["items"] == []
