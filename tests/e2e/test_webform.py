"""LAPORPAMAN pushing to the gateway: signed submissions (valid, bad signature, replayed,
oversized, malformed, duplicate), attachments as files or URLs, the public status a
portal embeds, and signed status callbacks back to the portal."""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import threading
import time
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
SECRET = TENANT_ENV["GATEWAY_KALSEL_LAPORPAMAN_WEBHOOK_SECRET"]
URL = "/channels/webform/kalsel/laporpaman"
JPEG = b"\xff\xd8\xff\xe0" + b"foto-jalan" * 40
FORM = {
    "id_laporan": "LP-2026-000451",
    "judul_laporan": "Jalan berlubang di Jl. A. Yani km 6",
    "isi_laporan": "Jalan berlubang besar di Jl. A. Yani km 6 dekat jembatan, sudah 3 motor jatuh.",
    "kategori": "jalan",
    "nama_pelapor": "Muhammad Rizki",
    "no_hp": "0812-5100-2233",
    "email": "rizki@example.id",
    "kode_wilayah": "63.71",
    "alamat_kejadian": "Jl. A. Yani km 6, Banjarmasin",
    "tanggal_kejadian": "2026-03-20",
    "anonim": "0",
    "rahasia": "0",
}


def signed(body: bytes, stamp: float | None = None) -> dict[str, str]:
    ts = str(int(stamp if stamp is not None else time.time()))
    digest = hmac.new(SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Laporpaman-Signature": f"sha256={digest}", "X-Timestamp": ts}


@dataclass
class Portal:
    """LAPORPAMAN's side: serves a photo and takes status callbacks."""

    callbacks: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def photo(self, request: Request) -> Response:
        return Response(JPEG, media_type="image/jpeg")

    async def missing(self, request: Request) -> Response:
        return Response(status_code=404)

    async def callback(self, request: Request) -> Response:
        with self.lock:
            self.callbacks.append((await request.body(), dict(request.headers)))
        return Response(status_code=200)

    def received(self) -> list[tuple[bytes, dict[str, str]]]:
        with self.lock:
            return list(self.callbacks)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[httpx.Client, Portal, str]]:
    portal = Portal()
    app = Starlette(
        routes=[
            Route("/foto.jpg", portal.photo),
            Route("/hilang.jpg", portal.missing),
            Route("/status", portal.callback, methods=["POST"]),
        ]
    )
    with serve_in_thread(app) as portal_base:
        mappings = tmp_path / "mappings"
        shutil.copytree(ROOT / "mappings", mappings)
        path = mappings / "kalsel.yaml"
        yaml = path.read_text(encoding="utf-8")
        yaml = yaml.replace(
            "      signature_algorithm: hmac-sha256\n",
            "      signature_algorithm: hmac-sha256\n"
            "      max_attachment_bytes: 2000\n"
            f"      callback_url: {portal_base}/status\n",
            1,
        )
        path.write_text(yaml, encoding="utf-8")
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
            mappings_dir=str(mappings),
            sandbox_db=str(tmp_path / "sandbox.db"),
            attachments_dir=str(tmp_path / "attachments"),
            sandbox_step_seconds=0.4,
            sandbox_archive_rate=0,
            dispatch_interval=0.1,
            pull_interval=0.2,
        )
        container = build_container(settings, environ=TENANT_ENV)
        upgrade(container.engine)
        with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:
            yield http, portal, portal_base


def post_json(http: httpx.Client, form: dict, stamp: float | None = None) -> httpx.Response:
    body = json.dumps(form).encode()
    return http.post(
        URL, content=body, headers={**signed(body, stamp), "Content-Type": "application/json"}
    )


def test_a_signed_submission_reaches_the_registry_and_its_status_goes_back(
    gateway: tuple[httpx.Client, Portal, str],
) -> None:
    http, portal, portal_base = gateway
    first = post_json(http, {**FORM, "lampiran": [f"{portal_base}/foto.jpg"]})
    assert first.status_code == 202, first.text
    body = first.json()
    assert body["duplicate"] is False and body["submission"] == "LP-2026-000451"
    again = post_json(http, FORM)
    assert again.status_code == 200 and again.json()["duplicate"] is True

    status_url = body["status_url"]

    def tracked() -> dict | None:
        answer = http.get(status_url).json()
        return answer if answer["tracking_id"] else None

    status = wait_until(tracked, timeout=15, what="the tracking ID")
    assert http.get(status_url).headers["access-control-allow-origin"] == "*"
    embedded = http.get(status_url, params={"format": "html"})
    assert status["tracking_id"] in embedded.text and "<table" in embedded.text

    key = {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]}
    complaint = http.get(f"/complaints/{body['id']}", headers=key).json()
    assert (complaint["topic_id"], complaint["region_code"]) == (2, "63.71")
    assert complaint["reporter"]["phone"] == "+6281251002233"
    [photo] = complaint["attachments"]
    assert http.get(photo["url"]).content == JPEG

    def verified() -> list | None:
        found = [json.loads(b) for b, _ in portal.received()]
        return found if any(f["status"] == "verified" for f in found) else None

    wait_until(verified, timeout=20, what="the verified callback")
    raw, headers = portal.received()[0]
    stamp = headers["x-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    assert headers["x-laporpaman-signature"] == f"sha256={expected}"


def test_multipart_files_within_limits(gateway: tuple[httpx.Client, Portal, str]) -> None:
    http, _, _ = gateway
    fields = {**FORM, "id_laporan": "LP-2026-000452"}

    def post(files: list) -> httpx.Response:
        request = http.build_request("POST", URL, data=fields, files=files)
        body = request.read()
        request.headers.update(signed(body))
        return http.send(request)

    ok = post([("lampiran", ("jalan.jpg", JPEG, "image/jpeg"))])
    assert ok.status_code == 202, ok.text
    too_big = post([("lampiran", ("besar.jpg", JPEG * 10, "image/jpeg"))])
    assert too_big.status_code == 413
    assert too_big.json()["error"]["fields"][0]["field"] == "lampiran[0]"
    wrong = post([("lampiran", ("virus.jpg", b"MZ\x90\x00 not an image", "image/jpeg"))])
    assert wrong.status_code == 415  # the bytes, not the declared type, decide


@pytest.mark.parametrize(
    ("case", "status", "field"),
    [
        ("bad-signature", 401, None),
        ("replayed", 401, None),
        ("malformed", 422, "body"),
        ("missing-content", 422, "isi_laporan"),
        ("bad-phone", 422, "no_hp"),
        ("url-not-found", 422, "lampiran[0]"),
        ("wrong-content-type", 415, None),
    ],
)
def test_bad_submissions_are_refused_and_nothing_is_stored(
    gateway: tuple[httpx.Client, Portal, str], case: str, status: int, field: str | None
) -> None:
    http, _, portal_base = gateway
    form = {**FORM, "id_laporan": f"LP-BAD-{case}"}
    if case == "bad-signature":
        body = json.dumps(form).encode()
        headers = {**signed(body + b" "), "Content-Type": "application/json"}
        answer = http.post(URL, content=body, headers=headers)
    elif case == "replayed":
        answer = post_json(http, form, stamp=time.time() - 600)
        assert "replay" in answer.json()["error"]["message"]
    elif case == "malformed":
        body = b'{"id_laporan": '
        answer = http.post(
            URL, content=body, headers={**signed(body), "Content-Type": "application/json"}
        )
    elif case == "missing-content":
        answer = post_json(http, {k: v for k, v in form.items() if k != "isi_laporan"})
    elif case == "bad-phone":
        answer = post_json(http, {**form, "no_hp": "12"})
    elif case == "url-not-found":
        answer = post_json(http, {**form, "lampiran": [f"{portal_base}/hilang.jpg"]})
    else:
        body = b"<xml/>"
        answer = http.post(URL, content=body, headers={**signed(body), "Content-Type": "text/xml"})
    assert answer.status_code == status, answer.text
    if field is not None:
        assert answer.json()["error"]["fields"][0]["field"] == field
    key = {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]}
    assert http.get("/complaints", params={"channel": "webform"}, headers=key).json()["items"] == []
