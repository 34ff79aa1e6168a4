"""The HTTP surface's guards over a real loopback server: sizes, media types, rate
limits, uniform errors, no internals in a 500, security headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread

LAMPUNG = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
API = "/channels/api/lampung/complaints"
WEBFORM = "/channels/webform/kalsel/laporpaman"
Serve = Callable[..., AbstractContextManager[httpx.Client]]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the guards run before any database work."""
    return f"sqlite:///{tmp_path / 'gateway.db'}"


@pytest.fixture
def serve(engine: Engine, database_url: str) -> Serve:
    """A gateway with these settings over loopback; ``routes`` may add test-only routes."""

    @contextmanager
    def served(
        routes: Callable[[FastAPI], None] | None = None, **settings: Any
    ) -> Iterator[httpx.Client]:
        container = build_container(
            Settings(
                database_url=database_url,
                mappings_dir=str(ROOT / "mappings"),
                national_url="http://127.0.0.1:9",  # sync is off: nothing is sent
                log_format="json",
                **settings,
            ),
            environ=TENANT_ENV,
        )
        app = create_app(container, run_sync=False)
        if routes is not None:
            routes(app)
        with (
            serve_in_thread(app) as base,
            httpx.Client(base_url=base, timeout=scaled(10)) as client,
        ):
            yield client

    return served


def assert_uniform(answer: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    assert body["error"]["message"] and set(body["error"]) <= {"code", "message", "fields"}
    return dict(body["error"])


def test_bodies_over_the_limit_are_413_by_header_and_while_streaming(serve: Serve) -> None:
    with serve(max_body_bytes=2048, max_upload_bytes=8192) as http:
        big = b'{"title": "' + b"x" * 3000 + b'"}'
        json_type = {**LAMPUNG, "Content-Type": "application/json"}
        error = assert_uniform(http.post(API, content=big, headers=json_type), 413, "too_large")
        assert error["fields"][0]["field"] == "body"

        def chunks() -> Iterator[bytes]:
            yield from (b"x" * 1000 for _ in range(4))  # no Content-Length: chunked

        assert_uniform(http.post(API, content=chunks(), headers=json_type), 413, "too_large")
        # a web form's files: the upload limit, not the body limit (then its signature: 401)
        photo = ("lampiran", ("foto.jpg", b"\xff\xd8\xff" + b"x" * 4000, "image/jpeg"))
        within = http.post(WEBFORM, data={"id_laporan": "1"}, files=[photo])
        assert_uniform(within, 401, "unauthorized")
        over = ("lampiran", ("foto.jpg", b"\xff\xd8\xff" + b"x" * 9000, "image/jpeg"))
        assert_uniform(http.post(WEBFORM, files=[over]), 413, "too_large")
        # only multipart bodies get the upload limit
        assert_uniform(http.post(WEBFORM, content=big, headers=json_type), 413, "too_large")


def test_query_strings_and_headers_too_long(serve: Serve) -> None:
    with serve(max_query_bytes=100, max_header_bytes=2048) as http:
        assert_uniform(http.get("/track/T1", params={"q": "x" * 200}), 414, "uri_too_long")
        big = {"X-Padding": "x" * 3000}
        assert_uniform(http.get("/track/T1", headers=big), 431, "headers_too_large")


@pytest.mark.parametrize(
    ("path", "content_type", "accepted"),
    [
        (API, "text/plain", "application/json"),
        ("/channels/callcenter/lampung/tickets", "application/x-www-form-urlencoded", "json"),
        ("/channels/telegram/sumbar", "application/x-www-form-urlencoded", "json"),
        ("/channels/sms/http/sulbar", "text/xml", "urlencoded"),
        (WEBFORM, "text/xml", "multipart/form-data"),
        ("/ops/login", "application/json", "urlencoded"),
    ],
)
def test_a_media_type_the_route_does_not_take_is_415_naming_content_type(
    serve: Serve, path: str, content_type: str, accepted: str
) -> None:
    with serve() as http:
        answer = http.post(path, content=b"<x/>", headers={**LAMPUNG, "Content-Type": content_type})
        error = assert_uniform(answer, 415, "unsupported_media")
        assert error["fields"][0]["field"] == "content-type"
        assert accepted in error["message"] and content_type in error["message"]


def test_media_types_the_routes_take_pass(serve: Serve) -> None:
    with serve() as http:
        # JSON-only routes read a body without Content-Type as JSON, as FastAPI does
        bare = http.post(API, content=b'{"source_ref": "A"}', headers=LAMPUNG)
        assert_uniform(bare, 422, "invalid_input")
        charset = {**LAMPUNG, "Content-Type": "application/json; charset=utf-8"}
        assert http.post(API, content=b"{}", headers=charset).status_code == 422
        # routes taking several types want to be told which
        assert http.post(WEBFORM, content=b"{}").status_code == 415
        assert http.post(WEBFORM, json={}).status_code == 401  # taken; then the signature
        assert http.post(WEBFORM, data={"a": "b"}).status_code == 401
        # a body on a GET is never read, so never refused
        assert http.request("GET", "/track/T1", content=b"x").status_code == 404


def test_a_client_over_its_rate_gets_429_with_retry_after(serve: Serve) -> None:
    with serve(rate_per_client=0.5, rate_per_client_burst=3, rate_per_tenant=0) as http:
        assert [http.get("/track/T1").status_code for _ in range(3)] == [404] * 3
        refused = http.get("/track/T1")
        assert_uniform(refused, 429, "rate_limited")
        assert refused.headers["retry-after"].isdigit()
        assert 1 <= int(refused.headers["retry-after"]) <= 2
        assert refused.headers["x-content-type-options"] == "nosniff"  # refusals too
        # probes are never throttled
        assert http.get("/healthz").status_code == 200
        # another client (a trusted proxy's X-Forwarded-For) has its own bucket
        other = {"X-Forwarded-For": "10.1.2.3"}
        assert http.get("/track/T1", headers=other).status_code == 404


def test_a_tenant_over_its_rate_gets_429_and_other_tenants_do_not(serve: Serve) -> None:
    with serve(rate_per_client=0, rate_per_tenant=0.5, rate_per_tenant_burst=2) as http:
        clients = [{"X-Forwarded-For": f"10.0.0.{n}"} for n in range(3)]
        # three different clients, one tenant: its burst is spent by the first two
        statuses = [http.post(API, json={}, headers=c).status_code for c in clients]
        assert statuses == [401, 401, 429]  # (no key: refused before the body is read)
        refused = http.post(API, json={}, headers=clients[0])
        assert_uniform(refused, 429, "rate_limited")
        assert int(refused.headers["retry-after"]) >= 1
        # kalsel is not held back by lampung's burst, nor are names of no tenant counted
        kalsel = "/channels/api/kalsel/complaints"
        assert [http.post(kalsel, json={}).status_code for _ in range(2)] == [401, 401]
        atlantis = "/channels/api/atlantis/complaints"
        assert 429 not in [http.post(atlantis, json={}).status_code for _ in range(3)]
        # the tenant of /channels/sms/<gateway>/<tenant> is the segment after the gateway
        sms = "/channels/sms/kannel/sumbar"
        assert [http.get(sms).status_code for _ in range(3)] == [401, 401, 429]
        assert http.get("/channels/sms/http/sulbar").status_code == 405  # not sumbar's


def test_unknown_routes_methods_and_bad_parameters_answer_the_uniform_body(
    serve: Serve,
) -> None:
    with serve() as http:
        assert_uniform(http.get("/no/such/route"), 404, "not_found")
        wrong_method = http.delete("/complaints")
        assert_uniform(wrong_method, 405, "method_not_allowed")
        assert "GET" in wrong_method.headers["allow"]
        error = assert_uniform(
            http.get("/complaints", params={"limit": 0}, headers=LAMPUNG), 422, "invalid_input"
        )
        assert error["fields"][0]["field"] == "limit"


def test_a_500_or_a_broken_database_shows_no_internals(serve: Serve, engine: Engine) -> None:
    def boom_route(app: FastAPI) -> None:
        async def boom() -> None:
            raise RuntimeError("secret internals /srv/gateway/db.py line 42")

        app.add_api_route("/test/boom", boom)

    with serve(routes=boom_route) as http:
        # uvicorn drops the connection after an exception: do not keep this one alive
        answer = http.get("/test/boom", headers={"Connection": "close"})
        assert_uniform(answer, 500, "internal")
        assert "secret internals" not in answer.text and "Traceback" not in answer.text
        assert answer.headers["x-content-type-options"] == "nosniff"
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE complaint"))
        broken = http.get("/track/T1")
        assert broken.status_code in (500, 503)
        assert "complaint" not in broken.text.lower() and "Traceback" not in broken.text
        assert_uniform(broken, broken.status_code, broken.json()["error"]["code"])


def test_security_headers_on_api_answers_and_hsts_only_over_https(serve: Serve) -> None:
    with serve() as http:
        answer = http.get("/complaints", headers=LAMPUNG)
        assert answer.status_code == 200
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert headers["cache-control"] == "no-store"  # complaints carry personal data
        assert "strict-transport-security" not in headers
        # behind a trusted proxy that terminated TLS
        https = http.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert https.headers["strict-transport-security"].startswith("max-age=")
        # errors carry them too; HTML pages get only frame-ancestors (Swagger UI's scripts)
        assert http.get("/nope").headers["x-frame-options"] == "DENY"
        assert http.get("/docs").headers["content-security-policy"] == "frame-ancestors 'none'"
        # the console keeps its own
        console = http.get("/ops/login")
        assert console.headers["referrer-policy"] == "same-origin"
        assert console.headers["content-security-policy"].startswith("default-src 'self'")
        assert http.get("/ops/nope").headers["referrer-policy"] == "same-origin"
