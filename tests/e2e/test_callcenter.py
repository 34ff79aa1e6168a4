"""The call centre end to end: tickets pushed by its software reach the sandbox registry,
updates become comments, agents look tickets up, and every status change is posted back,
signed, until the call centre's system answers 2xx."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
TOKEN = {"Authorization": f"Bearer {TENANT_ENV['GATEWAY_LAMPUNG_NATIONAL_TOKEN']}"}
SECRET = "callback-secret-lampung-0123456789"
URL = "/channels/callcenter/lampung/tickets"
TICKET = {
    "ticket_no": "CC-LPG-0001",
    "subject": "Jalan berlubang",
    "notes": "Pelapor menyampaikan jalan di depan pasar Kedaton berlubang besar, dua motor jatuh.",
    "kategori": "JALAN",
    "caller_name": "Siti Aminah",
    "caller_phone": "0812-3456-7890",
    "lokasi": "Jl. Teuku Umar, Kedaton",
    "kode_wilayah": "18.71",
    "tanggal_kejadian": "21/03/2026",
    "rahasia": "tidak",
}


@dataclass
class CallCentre:
    """The call centre's own system: refuses the first callback, then takes them."""

    received: list[tuple[bytes, str]] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def callback(self, request: Request) -> Response:
        body = await request.body()
        with self.lock:
            if self.refused == 0:
                self.refused += 1
                return Response("maintenance", status_code=503)
            self.received.append((body, request.headers.get("x-lapor-signature", "")))
        return Response(status_code=204)

    def bodies(self) -> list[dict]:
        with self.lock:
            return [json.loads(body) for body, _ in self.received]


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[httpx.Client, CallCentre]]:
    centre = CallCentre()
    app = Starlette(routes=[Route("/hook", centre.callback, methods=["POST"])])
    with serve_in_thread(app) as hook_base:
        mappings = tmp_path / "mappings"
        shutil.copytree(ROOT / "mappings", mappings)
        path = mappings / "lampung.yaml"
        yaml = path.read_text(encoding="utf-8")
        yaml = yaml.replace(
            "      timezone: Asia/Jakarta       # WIB\n",
            f"      timezone: Asia/Jakarta       # WIB\n      callback_url: {hook_base}/hook\n",
            1,
        ).replace(
            "  api_key: GATEWAY_LAMPUNG_API_KEY\n",
            "  api_key: GATEWAY_LAMPUNG_API_KEY\n"
            "  callcenter_callback_secret: GATEWAY_LAMPUNG_CALLBACK_SECRET\n",
        )
        path.write_text(yaml, encoding="utf-8")
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
            mappings_dir=str(mappings),
            sandbox_db=str(tmp_path / "sandbox.db"),
            sandbox_step_seconds=0.4,
            sandbox_archive_rate=0,
            dispatch_interval=0.1,
            pull_interval=0.2,
            backoff_base=0.2,
        )
        env = {**TENANT_ENV, "GATEWAY_LAMPUNG_CALLBACK_SECRET": SECRET}
        container = build_container(settings, environ=env)
        upgrade(container.engine)
        with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:
            yield http, centre


def test_a_pushed_ticket_reaches_the_registry_and_comes_back_to_the_call_centre(
    gateway: tuple[httpx.Client, CallCentre],
) -> None:
    http, centre = gateway
    created = http.post(URL, json=TICKET, headers=KEY)
    assert created.status_code == 202 and created.json()["result"] == "created"
    again = http.post(URL, json=TICKET, headers=KEY)
    assert again.status_code == 200 and again.json()["result"] == "duplicate"

    def looked_up() -> dict | None:
        items = http.get(
            "/channels/callcenter/lampung/lookup", params={"ticket": "CC-LPG-0001"}, headers=KEY
        ).json()["items"]
        return items[0] if items and items[0]["tracking_id"] else None

    found = wait_until(looked_up, timeout=15, what="the tracking ID")
    tracking = found["tracking_id"]
    by_phone = http.get(
        "/channels/callcenter/lampung/lookup", params={"phone": "+62 812 3456 7890"}, headers=KEY
    ).json()["items"]
    assert [i["ticket"] for i in by_phone] == ["CC-LPG-0001"]

    # the agent updates the ticket: the new notes go to the registry as a comment
    update = {**TICKET, "notes": TICKET["notes"] + " Update: sudah ada korban luka."}
    assert http.post(URL, json=update, headers=KEY).json()["result"] == "updated"
    assert http.post(URL, json=update, headers=KEY).json()["result"] == "duplicate"

    def comments() -> list | None:
        detail = http.get(f"/sandbox/api/v1/complaints/{tracking}", headers=TOKEN).json()
        return detail.get("comments") or None

    [comment] = wait_until(comments, timeout=15, what="the comment")
    assert comment["text"].endswith("sudah ada korban luka.")

    # status changes posted back, signed; the first refusal was retried
    bodies = wait_until(
        lambda: [b for b in centre.bodies() if b["status"] == "verified"] and centre.bodies(),
        timeout=20,
        what="the verified callback",
    )
    assert centre.refused == 1
    assert {b["ticket"] for b in bodies} == {"CC-LPG-0001"}
    assert all(b["tracking_id"] == tracking for b in bodies)
    body, signature = centre.received[0]
    stamp, digest = (part.split("=", 1)[1] for part in signature.split(","))
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(digest, expected)

    # the page an agent keeps open: asks for the key, then shows the ticket
    page = http.get("/channels/callcenter/lampung/agent", params={"q": tracking})
    assert page.status_code == 401 and page.headers["www-authenticate"].startswith("Basic")
    auth = base64.b64encode(f"agent:{KEY['X-API-Key']}".encode()).decode()
    page = http.get(
        "/channels/callcenter/lampung/agent",
        params={"q": "0812-3456-7890"},
        headers={"Authorization": f"Basic {auth}"},
    )
    assert page.status_code == 200 and tracking in page.text and "CC-LPG-0001" in page.text


def test_bad_tickets_are_refused_naming_the_column(
    gateway: tuple[httpx.Client, CallCentre],
) -> None:
    http, _ = gateway
    single = http.post(URL, json={**TICKET, "caller_phone": "08-12"}, headers=KEY)
    assert single.status_code == 422
    assert single.json()["error"]["fields"][0]["field"] == "caller_phone"
    batch = http.post(
        URL,
        json={
            "tickets": [
                {**TICKET, "ticket_no": "CC-B-1"},
                {**TICKET, "ticket_no": "CC-B-2", "notes": ""},
                {**TICKET, "ticket_no": "CC-B-3", "tanggal_kejadian": "31/02/2026"},
                {**TICKET, "ticket_no": ""},
            ]
        },
        headers=KEY,
    )
    assert batch.status_code == 200
    results = {r["index"]: r for r in batch.json()["results"]}
    assert results[0]["result"] == "created"
    assert (results[1]["result"], results[1]["column"]) == ("rejected", "notes")
    assert (results[2]["result"], results[2]["column"]) == ("rejected", "tanggal_kejadian")
    assert (results[3]["result"], results[3]["column"]) == ("rejected", "ticket_no")
    assert http.post(URL, content=b"{oops", headers=KEY).status_code in (400, 422)
    assert http.post(URL, json=TICKET).status_code == 401
    other = {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]}
    assert http.post(URL, json=TICKET, headers=other).status_code == 401
    lookup = http.get("/channels/callcenter/lampung/lookup", headers=KEY)
    assert lookup.status_code == 422
