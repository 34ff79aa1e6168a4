"""The canonical JSON intake and staff lookup over a real loopback HTTP server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread

LAMPUNG = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
KALSEL = {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]}
URL = "/channels/api/lampung/complaints"

COMPLAINT = {
    "source_ref": "CC-0001",
    "title": "Jalan berlubang",
    "content": "Jalan berlubang besar di Jl. Teuku Umar depan pasar, sudah dua minggu.",
    "region_code": "18.71",
    "location": {"text": "Jl. Teuku Umar, Kedaton", "latitude": -5.39, "longitude": 105.26},
    "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
}


@pytest.fixture
def gateway(engine, database_url: str) -> Iterator[httpx.Client]:
    settings = Settings(
        database_url=database_url,
        mappings_dir=str(ROOT / "mappings"),
        national_url="http://127.0.0.1:9",  # sync is off: nothing is sent
        max_body_bytes=4096,
        log_format="json",
    )
    container = build_container(settings, environ=TENANT_ENV)
    app = create_app(container, run_sync=False)
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=scaled(10)) as client:
        yield client


def test_complaint_is_accepted_stored_and_looked_up(gateway: httpx.Client) -> None:
    answer = gateway.post(URL, json=COMPLAINT, headers=LAMPUNG)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["status"] == "received" and body["duplicate"] is False
    assert answer.headers["location"] == f"/complaints/{body['id']}"

    found = gateway.get(f"/complaints/{body['id']}", headers=LAMPUNG)
    assert found.status_code == 200
    complaint = found.json()
    assert complaint["reporter"]["phone"] == "+6281234567890"  # normalised to E.164
    assert complaint["tenant"] == "lampung" and complaint["channel"] == "api"
    assert complaint["history"][0]["status"] == "received"
    assert complaint["external_ref"] == f"LGW-{body['id']}"

    by_source = gateway.get(
        "/complaints", params={"channel": "api", "source_ref": "CC-0001"}, headers=LAMPUNG
    )
    assert [c["id"] for c in by_source.json()["items"]] == [body["id"]]


def test_same_source_ref_again_answers_200_with_the_same_complaint(gateway: httpx.Client) -> None:
    first = gateway.post(URL, json=COMPLAINT, headers=LAMPUNG).json()
    again = gateway.post(URL, json={**COMPLAINT, "title": "changed"}, headers=LAMPUNG)
    assert again.status_code == 200
    assert again.json()["id"] == first["id"] and again.json()["duplicate"] is True
    listed = gateway.get("/complaints", headers=LAMPUNG).json()["items"]
    assert len(listed) == 1 and listed[0]["title"] == "Jalan berlubang"


def test_region_defaults_to_the_tenant(gateway: httpx.Client) -> None:
    body = {k: v for k, v in COMPLAINT.items() if k != "region_code"}
    created = gateway.post(URL, json=body, headers=LAMPUNG).json()
    assert (
        gateway.get(f"/complaints/{created['id']}", headers=LAMPUNG).json()["region_code"] == "18"
    )


@pytest.mark.parametrize(
    ("name", "request_kwargs", "status", "code", "fields"),
    [
        (
            "malformed json",
            {"content": b'{"title": "x",', "headers": {"content-type": "application/json"}},
            400,
            "invalid_json",
            ["body"],
        ),
        (
            "missing fields",
            {"json": {"source_ref": "X"}},
            422,
            "invalid_input",
            ["content", "title"],
        ),
        (
            "bad phone",
            {"json": {**COMPLAINT, "reporter": {"phone": "12"}}},
            422,
            "invalid_input",
            ["reporter.phone"],
        ),
        (
            "bad region",
            {"json": {**COMPLAINT, "region_code": "Lampung"}},
            422,
            "invalid_input",
            ["region_code"],
        ),
        (
            "unknown field",
            {"json": {**COMPLAINT, "pelapor": "x"}},
            422,
            "invalid_input",
            ["pelapor"],
        ),
        ("not an object", {"json": ["a"]}, 422, "invalid_input", []),
        ("oversized", {"json": {**COMPLAINT, "content": "x" * 5000}}, 413, "too_large", ["body"]),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    gateway: httpx.Client,
    name: str,
    request_kwargs: dict,
    status: int,
    code: str,
    fields: list[str],
) -> None:
    kwargs = dict(request_kwargs)  # the table is shared between parametrised runs
    headers = {**LAMPUNG, **kwargs.pop("headers", {})}
    answer = gateway.post(URL, headers=headers, **kwargs)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code and error["message"]
    named = {f["field"] for f in error.get("fields", [])}
    assert set(fields) <= named, named
    assert gateway.get("/complaints", headers=LAMPUNG).json()["items"] == []  # nothing stored


def test_oversized_stream_without_content_length_is_refused(gateway: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    answer = gateway.post(
        URL, content=chunks(), headers={**LAMPUNG, "content-type": "application/json"}
    )
    assert answer.status_code == 413


def test_unknown_tenant_and_wrong_key(gateway: httpx.Client) -> None:
    unknown = gateway.post("/channels/api/atlantis/complaints", json=COMPLAINT, headers=LAMPUNG)
    assert unknown.status_code == 404 and "atlantis" in unknown.json()["error"]["message"]
    assert gateway.post(URL, json=COMPLAINT).status_code == 401
    wrong = gateway.post(URL, json=COMPLAINT, headers=KALSEL)  # another tenant's key
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    assert gateway.get("/complaints", headers={"X-API-Key": "nope"}).status_code == 401


def test_a_tenant_never_sees_another_tenants_complaint(gateway: httpx.Client) -> None:
    created = gateway.post(URL, json=COMPLAINT, headers=LAMPUNG).json()
    assert gateway.get(f"/complaints/{created['id']}", headers=KALSEL).status_code == 404
    assert gateway.get("/complaints", headers=KALSEL).json()["items"] == []


def test_track_unknown_and_health(gateway: httpx.Client) -> None:
    assert gateway.get("/track/00000000").status_code == 404
    assert gateway.get("/healthz").json() == {"status": "ok"}
    ready = gateway.get("/readyz")
    assert ready.status_code == 503  # the national registry at port 9 is unreachable
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.json()["checks"]["national_registry"].startswith("error")
    assert gateway.get("/docs").status_code == 200
    assert URL.replace("lampung", "{tenant}") in gateway.get("/openapi.json").json()["paths"]


def test_intake_is_counted_in_metrics(gateway: httpx.Client) -> None:
    def count(outcome: str) -> float:
        text = gateway.get("/metrics").text
        key = f'gateway_intake_total{{channel="api",outcome="{outcome}",tenant="lampung"}}'
        lines = [line for line in text.splitlines() if line.startswith(key)]
        return float(lines[0].split()[-1]) if lines else 0.0

    before = {o: count(o) for o in ("accepted", "duplicate", "invalid", "unauthorized")}
    gateway.post(URL, json=COMPLAINT, headers=LAMPUNG)
    gateway.post(URL, json=COMPLAINT, headers=LAMPUNG)
    gateway.post(URL, json={"source_ref": "X"}, headers=LAMPUNG)
    gateway.post(URL, json=COMPLAINT, headers=KALSEL)
    after = {o: count(o) for o in before}
    assert {o: after[o] - before[o] for o in before} == {
        "accepted": 1,
        "duplicate": 1,
        "invalid": 1,
        "unauthorized": 1,
    }
    assert "gateway_outbox_depth" in gateway.get("/metrics").text
