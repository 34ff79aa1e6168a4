"""Open311 ``POST requests`` with the photo as the multipart file ``media`` (what the
``three`` client posts): kept as the request's attachment and sent to the registry
with it, as an allowed ``media_url`` is; a file of another kind or too large is refused
naming ``media``; a body of a media type Open311 does not take is 415 in Bahasa
Indonesia (English when asked). Over loopback, with the in-process sandbox registry."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread, wait_until

pytestmark = pytest.mark.e2e
LAMPUNG_KEY = TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]
NATIONAL = {"Authorization": f"Bearer {TENANT_ENV['GATEWAY_LAMPUNG_NATIONAL_TOKEN']}"}
MAX_ATTACHMENT = 64 * 1024
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"lubang di jalan " * 400
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 300
FIELDS = {
    "jurisdiction_id": "lampung",
    "api_key": LAMPUNG_KEY,
    "service_code": "JALAN",
    "description": "Jalan berlubang besar di depan pasar Kedaton, foto terlampir.",
    "lat": "-5.3971",
    "long": "105.2668",
}
URL = "/open311/v2/requests.json"
PREFIX = "Nomor pelacakan SP4N-LAPOR!: "


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[httpx.Client]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_step_seconds=0,
        attachments_dir=str(tmp_path / "attachments"),
        max_attachment_bytes=MAX_ATTACHMENT,
        dispatch_interval=0.1,
        pull_interval=0.2,
        backoff_base=0.2,
    )
    container = build_container(settings, environ=TENANT_ENV)
    upgrade(container.engine)
    with (
        serve_in_thread(create_app(container)) as base,
        httpx.Client(base_url=base, timeout=scaled(10)) as http,
    ):
        yield http


def _post(http: httpx.Client, media: tuple[str, bytes, str] | None, **extra: str):
    """As ``three`` posts: each field a part, the photo a file part named ``media``."""
    files = {"media": media} if media is not None else None
    return http.post(URL, data={**FIELDS, **extra}, files=files)


def _request(http: httpx.Client, request_id: str) -> dict:
    answer = http.get(
        f"/open311/v2/requests/{request_id}.json", params={"jurisdiction_id": "lampung"}
    )
    assert answer.status_code == 200, answer.text
    [item] = answer.json()
    return dict(item)


def test_a_media_file_is_kept_and_sent_with_the_request(gateway: httpx.Client) -> None:
    http = gateway
    posted = _post(http, ("lubang.jpg", JPEG, "image/jpeg"))
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]
    sha = hashlib.sha256(JPEG).hexdigest()

    # kept and linked, as a media_url on an allowed host is
    shown = _request(http, request_id)
    assert shown["media_url"] == f"/attachments/{sha}.jpg"
    photo = http.get(shown["media_url"])
    assert photo.status_code == 200 and photo.content == JPEG
    assert photo.headers["content-type"] == "image/jpeg"

    # a retry with the same photo is the same request; another photo is another
    again = _post(http, ("lubang.jpg", JPEG, "image/jpeg"))
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == request_id
    other = _post(http, ("lubang.png", PNG, "application/octet-stream"))  # sniffed, not declared
    assert other.status_code == 201, other.text
    assert _request(http, other.json()[0]["service_request_id"])["media_url"].endswith(".png")
    # an empty file part (a form whose file input was left empty) is no photo
    empty = _post(
        http, ("", b"", "application/octet-stream"), description=FIELDS["description"] + " "
    )
    assert empty.status_code == 201, empty.text
    assert _request(http, empty.json()[0]["service_request_id"])["media_url"] is None

    # the registry has the photo itself (no public address: it travels in the submission)
    notice = wait_until(
        lambda: (n := _request(http, request_id)["service_notice"]).startswith(PREFIX) and n,
        timeout=15,
        what="the tracking ID in service_notice",
    )
    tracking_id = notice.removeprefix(PREFIX)
    remote = http.get(f"/sandbox/api/v1/complaints/{tracking_id}", headers=NATIONAL).json()
    [attached] = remote["attachments"]
    assert attached["sha256"] == sha and attached["content_type"] == "image/jpeg"
    assert attached["filename"] == "lubang.jpg"


def test_a_media_file_of_another_kind_or_too_large_is_refused(gateway: httpx.Client) -> None:
    http = gateway
    cases = [
        (("surat.pdf", b"%PDF-1.7\n" + b"x" * 100, "application/pdf"), 415, "jenis berkas"),
        (("foto.jpg", b"GIF89a" + b"x" * 100, "image/jpeg"), 415, "jenis berkas"),  # lies
        (("besar.jpg", JPEG[:4] + b"x" * MAX_ATTACHMENT, "image/jpeg"), 413, "64 KB"),
    ]
    for media, status, words in cases:
        answer = _post(http, media)
        assert answer.status_code == status, answer.text
        [error] = answer.json()
        assert error["code"] == status
        assert error["description"].startswith("media: ") and words in error["description"]
    english = http.post(
        URL,
        data=FIELDS,
        files={"media": cases[0][0]},
        headers={"Accept-Language": "en"},
    )
    assert english.json()[0]["description"].startswith("media: this kind of file is not")
    # a file under another name, or two photos
    elsewhere = http.post(URL, data=FIELDS, files={"photo": ("a.jpg", JPEG, "image/jpeg")})
    assert elsewhere.status_code == 400 and "photo" in elsewhere.json()[0]["description"]
    two = [("media", ("a.jpg", JPEG, "image/jpeg")), ("media", ("b.png", PNG, "image/png"))]
    twice = http.post(URL, data=FIELDS, files=two)
    assert twice.status_code == 400 and "media" in twice.json()[0]["description"]
    # without the key nothing is looked at, let alone kept
    keyless = _post(http, ("surat.pdf", b"%PDF-1.7\n", "application/pdf"), api_key="wrong")
    assert keyless.status_code == 403, keyless.text
    listed = http.get("/open311/v2/requests.json", params={"jurisdiction_id": "lampung"})
    assert listed.json() == []


def test_a_body_open311_does_not_take_is_415_in_indonesian(gateway: httpx.Client) -> None:
    http = gateway
    for path in (URL, "/open311/v2/requests.xml"):
        answer = http.post(path, json=FIELDS)
        assert answer.status_code == 415, answer.text
        if path.endswith(".xml"):
            assert "<code>415</code>" in answer.text
            assert "Content-Type permintaan tidak diterima" in answer.text
        else:
            [error] = answer.json()
            assert error == {
                "code": 415,
                "description": "Content-Type permintaan tidak diterima; kirim "
                "application/x-www-form-urlencoded atau multipart/form-data",
            }
    untyped = http.post(URL, content=b"service_code=JALAN")  # a body without Content-Type
    assert untyped.status_code == 415
    assert untyped.json()[0]["description"].startswith("Content-Type permintaan tidak")
    english = http.post(URL, json=FIELDS, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.status_code == 415
    assert english.json()[0]["description"].startswith("the request's Content-Type is not")
