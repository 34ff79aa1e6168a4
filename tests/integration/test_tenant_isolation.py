"""One tenant's keys never read or write another tenant's complaints, through any route.

Every operation of the gateway's own OpenAPI whose path names a tenant is called for
each other tenant with every secret the caller holds (API key, SMS gateway key,
webhook secrets) in every place a route looks for one. None may succeed, and the
target tenant's tables must be as they were. A new route with ``{tenant}`` in its
path is covered without touching this file. Reads are checked with a complaint the
target tenant really has.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.models import Complaint, InboundMessage, OutboxJob
from tests.ops_support import serve_console
from tests.support import TENANT_ENV, scaled

TENANTS = ("lampung", "kalsel", "sumbar", "sulbar", "sijunjung")  # Sijunjung: under sumbar
COMPLAINT = {
    "source_ref": "ISO-1",
    "title": "Jalan berlubang",
    "content": "Jalan berlubang besar di depan pasar, dua motor sudah jatuh minggu ini.",
    "region_code": "63.71",
}


def secrets_of(tenant: str) -> list[str]:
    prefix = f"GATEWAY_{tenant.upper()}_"
    return [
        value
        for name, value in TENANT_ENV.items()
        if name.startswith(prefix) and not name.endswith(("_NATIONAL_TOKEN", "_DB_URL"))
    ]


@pytest.fixture
def base_url(engine, database_url: str) -> Iterator[str]:
    # this probe misses on purpose, hundreds of times, from one address: the look-up
    # limits (tests/e2e/test_lookup_walk.py) are not what it checks
    with serve_console(database_url, rate_lookup_per_minute=0) as base:
        yield base


def counts(factory: sessionmaker[Session], tenant: str) -> tuple[int, int, int]:
    with factory() as session:
        return tuple(  # type: ignore[return-value]
            int(session.scalar(select(func.count()).where(model.tenant == tenant)) or 0)  # type: ignore[attr-defined]
            for model in (Complaint, InboundMessage, OutboxJob)
        )


def tenant_operations(schema: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """``(method, path, other path parameters)`` of every operation naming a tenant."""
    found = []
    for path, operations in schema["paths"].items():
        if "{tenant}" not in path:
            continue
        for method in operations:
            others = [name for name in re.findall(r"{(\w+)}", path) if name != "tenant"]
            found.append((method.upper(), path, others))
    return found


def attempt(
    http: httpx.Client, method: str, path: str, secret: str, key_query: bool
) -> httpx.Response:
    """One call carrying ``secret`` everywhere a route may look for a credential."""
    basic = base64.b64encode(f"agent:{secret}".encode()).decode()
    headers = {
        "X-API-Key": secret,
        "X-Telegram-Bot-Api-Secret-Token": secret,
        "Authorization": f"Basic {basic}",
    }
    params = {"key": secret, "api_key": secret} if key_query else {}
    if method in ("GET", "HEAD", "DELETE"):
        return http.request(method, path, headers=headers, params=params)
    return http.request(method, path, headers=headers, params=params, json=COMPLAINT)


def test_no_route_lets_one_tenants_secret_reach_another_tenant(base_url, factory) -> None:
    with httpx.Client(base_url=base_url, timeout=scaled(10)) as http:
        schema = http.get("/openapi.json").json()
        operations = tenant_operations(schema)
        assert len(operations) >= 8, operations  # the channels' routes are all there
        before = {t: counts(factory, t) for t in TENANTS}
        tried = 0
        for target in TENANTS:
            for caller in TENANTS:
                if caller == target:
                    continue
                for secret in secrets_of(caller):
                    for method, template, others in operations:
                        path = template.replace("{tenant}", target)
                        for name in others:
                            path = path.replace(f"{{{name}}}", f"x-{uuid.uuid4().hex[:8]}")
                        for key_query in (False, True):
                            answer = attempt(http, method, path, secret, key_query)
                            tried += 1
                            assert answer.status_code in (400, 401, 403, 404, 405, 415, 422), (
                                f"{caller}'s secret on {method} {path}: {answer.status_code} "
                                f"{answer.text[:200]}"
                            )
        assert {t: counts(factory, t) for t in TENANTS} == before
        assert tried > 100


def test_one_tenants_key_reads_nothing_of_another(base_url, factory) -> None:
    kalsel = {"X-API-Key": TENANT_ENV["GATEWAY_KALSEL_API_KEY"]}
    lampung = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
    with httpx.Client(base_url=base_url, timeout=scaled(10)) as http:
        made = http.post("/channels/api/kalsel/complaints", json=COMPLAINT, headers=kalsel)
        assert made.status_code == 202, made.text
        complaint_id = made.json()["id"]
        assert http.get(f"/complaints/{complaint_id}", headers=kalsel).status_code == 200

        assert http.get(f"/complaints/{complaint_id}", headers=lampung).status_code == 404
        listed = http.get(
            "/complaints", params={"channel": "api", "source_ref": "ISO-1"}, headers=lampung
        )
        assert listed.status_code == 200 and listed.json()["items"] == []
        by_channel = http.get("/complaints", params={"channel": "api"}, headers=lampung)
        assert complaint_id not in by_channel.text
        lookup = http.get(
            "/channels/callcenter/kalsel/lookup", params={"ticket": "ISO-1"}, headers=lampung
        )
        assert lookup.status_code in (401, 403, 404)
        for fmt in ("json", "xml"):
            other = http.get(
                f"/open311/v2/requests/{complaint_id}.{fmt}",
                params={"jurisdiction_id": "lampung"},
            )
            assert other.status_code == 404
            assert "Jalan berlubang" not in other.text
