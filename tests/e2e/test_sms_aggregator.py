"""An HTTP SMS aggregator (Sulawesi Barat's sample): signed JSON in, replies posted to its
send URL (a recording server over loopback)."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
SECRET = TENANT_ENV["GATEWAY_SULBAR_SMS_SECRET"]
SULBAR = {"X-API-Key": TENANT_ENV["GATEWAY_SULBAR_API_KEY"]}
URL = "/channels/sms/http/sulbar"


class Aggregator:
    def __init__(self) -> None:
        self.sent: list[tuple[dict, dict]] = []
        self.lock = threading.Lock()
        self.app = Starlette(routes=[Route("/api/v1/send", self.send, methods=["POST"])])

    async def send(self, request: Request) -> JSONResponse:
        body = await request.body()
        with self.lock:
            self.sent.append((json.loads(body), dict(request.headers)))
        return JSONResponse({"status": "ok", "message_id": f"AGG-{len(self.sent)}"})

    def messages(self) -> list[dict]:
        with self.lock:
            return [body for body, _ in self.sent]


def signed(body: dict) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    digest = hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Signature": digest, "Content-Type": "application/json"}


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[httpx.Client, Aggregator]]:
    aggregator = Aggregator()
    with serve_in_thread(aggregator.app) as agg_base:
        mappings = tmp_path / "mappings"
        shutil.copytree(ROOT / "mappings", mappings)
        path = mappings / "sulbar.yaml"
        yaml = path.read_text(encoding="utf-8")
        path.write_text(
            yaml.replace("https://sms-aggregator.example.id", agg_base), encoding="utf-8"
        )
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
            mappings_dir=str(mappings),
            sandbox_db=str(tmp_path / "sandbox.db"),
            sandbox_step_seconds=3600,
            dispatch_interval=0.1,
            pull_interval=5,
        )
        container = build_container(settings, environ=TENANT_ENV)
        upgrade(container.engine)
        with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:
            yield http, aggregator


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
