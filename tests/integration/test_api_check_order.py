"""The JSON API checks who is asking before what they sent: an unauthenticated request
or an unknown tenant is refused (401, 404) without a word about the body's fields, and
a body without ``Content-Type`` is read as JSON (as the call-centre route reads it).
Over a real loopback HTTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread

LAMPUNG = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
URL = "/channels/api/lampung/complaints"
COMPLAINT = {
    "source_ref": "ORDER-0001",
    "title": "Jalan berlubang",
    "content": "Jalan berlubang besar di Jl. Teuku Umar depan pasar, sudah dua minggu.",
    "region_code": "18.71",
}
#: wrong in three fields, and one field too many
BAD = {"title": "", "content": "pendek", "classification": "keluhan", "extra": 1}


@pytest.fixture
def gateway(engine, database_url: str) -> Iterator[httpx.Client]:
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        national_url="http://127.0.0.1:9",  # sync is off: nothing is sent
        log_format="json",
    )
    container = build_container(settings, environ=TENANT_ENV)
    app = create_app(container, run_sync=False)
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=scaled(10)) as client:
        yield client


def _no_fields(answer: httpx.Response) -> None:
    """A refusal that says nothing about the body."""
    error = answer.json()["error"]
    assert "fields" not in error, error
    for name in ("title", "content", "classification", "source_ref", "extra"):
        assert name not in error["message"], error


def test_an_unauthenticated_request_is_401_whatever_its_body(gateway: httpx.Client) -> None:
    for headers in ({}, {"X-API-Key": "not-the-key"}):
        answer = gateway.post(URL, json=BAD, headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"]["code"] == "unauthorized"
        _no_fields(answer)
        # not JSON at all: still who is asking first
        garbled = gateway.post(
            URL, content=b"{not json", headers={**headers, "Content-Type": "application/json"}
        )
        assert garbled.status_code == 401, garbled.text
        _no_fields(garbled)


def test_an_unknown_tenant_is_404_whatever_its_body(gateway: httpx.Client) -> None:
    for headers in ({}, LAMPUNG):
        answer = gateway.post("/channels/api/atlantis/complaints", json=BAD, headers=headers)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "not_found"
        _no_fields(answer)


def test_with_the_key_a_bad_body_is_422_naming_each_field(gateway: httpx.Client) -> None:
    answer = gateway.post(URL, json=BAD, headers=LAMPUNG)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    named = {f["field"] for f in error["fields"]}
    assert {"source_ref", "title", "content", "classification", "extra"} <= named, named
    assert "body" not in named  # the fields themselves, not where they were
    # the same without Content-Type: read as JSON, so its fields are named too
    untyped = gateway.post(URL, content=json.dumps(BAD).encode(), headers=LAMPUNG)
    assert untyped.status_code == 422, untyped.text
    assert {f["field"] for f in untyped.json()["error"]["fields"]} == named
    wrong_phone = {**COMPLAINT, "reporter": {"phone": 812}}
    nested = gateway.post(URL, json=wrong_phone, headers=LAMPUNG)
    assert nested.status_code == 422
    assert [f["field"] for f in nested.json()["error"]["fields"]] == ["reporter.phone"]
    # a body that is not JSON, or not an object, or none at all
    garbled = gateway.post(
        URL, content=b"{not json", headers={**LAMPUNG, "Content-Type": "application/json"}
    )
    assert garbled.status_code == 400 and garbled.json()["error"]["code"] == "invalid_json"
    listed = gateway.post(URL, json=[COMPLAINT], headers=LAMPUNG)
    assert listed.status_code == 422 and listed.json()["error"]["fields"][0]["field"] == "body"
    empty = gateway.post(URL, headers={**LAMPUNG, "Content-Type": "application/json"})
    assert empty.status_code == 422 and empty.json()["error"]["fields"][0]["field"] == "body"


def test_a_body_without_content_type_is_read_as_json(gateway: httpx.Client) -> None:
    request = gateway.build_request(
        "POST", URL, content=json.dumps(COMPLAINT).encode(), headers=LAMPUNG
    )
    assert "content-type" not in request.headers
    answer = gateway.send(request)
    assert answer.status_code == 202, answer.text
    stored = gateway.get(f"/complaints/{answer.json()['id']}", headers=LAMPUNG).json()
    assert stored["title"] == COMPLAINT["title"] and stored["channel"] == "api"
    again = gateway.post(URL, content=json.dumps(COMPLAINT).encode(), headers=LAMPUNG)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    # a Content-Type that is not JSON is still refused before anything is read
    typed = gateway.post(
        URL,
        content=json.dumps(COMPLAINT).encode(),
        headers={**LAMPUNG, "Content-Type": "text/plain"},
    )
    assert typed.status_code == 415, typed.text
    assert typed.json()["error"]["fields"][0]["field"] == "content-type"
