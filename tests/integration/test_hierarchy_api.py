"""Tenants in a hierarchy (issue 20) and the API: keys, routes and Open311
jurisdictions stay per tenant. A regency's key reads nothing of its province's or its
sibling's complaints, and the province's key nothing of its regencies', through the
staff look-up (``/complaints``), the call-centre look-up and Open311 GET requests;
the province oversees its regencies in the console only (tests/integration/
test_ops_hierarchy.py). Every other route naming a tenant is probed across every
sample tenant, Sijunjung included, by tests/integration/test_tenant_isolation.py.

This test's own mappings folder gives Sumatera Barat a second child (a test-only
Kota Padang) and gives the family a call-centre and an Open311 channel each.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.ops_support import console_app
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread

FAMILY = ("sumbar", "sijunjung", "padang")
PADANG = """\
tenant: padang
name: Pemerintah Kota Padang
region_code: "13.71"
parent: sumbar
secrets:
  national_token: GATEWAY_PADANG_NATIONAL_TOKEN
  api_key: GATEWAY_PADANG_API_KEY
channels:
  - id: api
    type: api
categories:
  JALAN: {topic: 2, label: Jalan rusak}
routing:
  2: {agency: 1371-DPUPR}
default_topic_id: 46
default_agency_code: 1371-DPUPR
"""
#: a call-centre and an Open311 channel, after each tenant's `api` channel
MORE = """\
  - id: callcenter
    type: callcenter
    fields:
      source_ref: ticket_no
      title: subject
      content: notes
  - id: open311
    type: open311
"""
API = "  - id: api\n    type: api\n"
ENV = {
    **TENANT_ENV,
    "GATEWAY_PADANG_NATIONAL_TOKEN": "test-token-padang-0001",
    "GATEWAY_PADANG_API_KEY": "key-padang-0123456789",
}


def key(tenant: str) -> dict[str, str]:
    return {"X-API-Key": ENV[f"GATEWAY_{tenant.upper()}_API_KEY"]}


@pytest.fixture
def base_url(engine, database_url: str, tmp_path: Path) -> Iterator[str]:
    folder = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", folder)
    (folder / "padang.yaml").write_text(PADANG, encoding="utf-8")
    for tenant in FAMILY:
        path = folder / f"{tenant}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.count(API) == 1
        path.write_text(text.replace(API, API + MORE), encoding="utf-8")
    container, app = console_app(
        database_url,
        mappings=folder,
        environ=ENV,
        rate_lookup_per_minute=0,  # look-up limits are not what this checks
    )
    assert container.tenants["padang"].spec.parent == "sumbar"
    with serve_in_thread(app) as base:
        yield base


def test_keys_and_jurisdictions_stay_per_tenant_in_a_hierarchy(base_url) -> None:
    with httpx.Client(base_url=base_url, timeout=scaled(10)) as http:
        made, requests = {}, {}
        for tenant in FAMILY:
            answer = http.post(
                f"/channels/api/{tenant}/complaints",
                json={
                    "source_ref": f"{tenant.upper()}-1",
                    "title": f"Jalan berlubang di {tenant}",
                    "content": "Jalan berlubang besar di depan pasar nagari, belum diperbaiki.",
                },
                headers=key(tenant),
            )
            assert answer.status_code == 202, answer.text
            made[tenant] = answer.json()["id"]
            ticket = http.post(
                f"/channels/callcenter/{tenant}/tickets",
                json={
                    "ticket_no": f"{tenant.upper()}-T1",
                    "subject": f"Lampu jalan mati di {tenant}",
                    "notes": "Pelapor menyampaikan bahwa lampu jalan di depan pasar mati.",
                },
                headers=key(tenant),
            )
            assert ticket.status_code in (200, 201, 202), ticket.text
            posted = http.post(
                "/open311/v2/requests.json",
                data={
                    "jurisdiction_id": tenant,
                    "api_key": ENV[f"GATEWAY_{tenant.upper()}_API_KEY"],
                    "service_code": "JALAN",
                    "description": f"Jalan berlubang di {tenant}, dua motor jatuh minggu ini.",
                    "address_string": "Depan pasar nagari",
                },
            )
            assert posted.status_code in (200, 201), posted.text
            requests[tenant] = posted.json()[0]["service_request_id"]

        for caller in FAMILY:
            for target in FAMILY:
                ref, complaint_id = f"{target.upper()}-1", made[target]
                own = caller == target
                detail = http.get(f"/complaints/{complaint_id}", headers=key(caller))
                assert detail.status_code == (200 if own else 404), (caller, target, detail.text)
                if not own:
                    assert detail.json()["error"]["code"] == "not_found"
                listed = http.get(
                    "/complaints", params={"channel": "api", "source_ref": ref}, headers=key(caller)
                )
                assert listed.status_code == 200
                assert [i["id"] for i in listed.json()["items"]] == ([complaint_id] if own else [])
                every = http.get("/complaints", params={"channel": "api"}, headers=key(caller))
                assert (complaint_id in every.text) is own
                # the call-centre look-up: the caller's own route finds only its own ...
                ticket = f"{target.upper()}-T1"
                mine = http.get(
                    f"/channels/callcenter/{caller}/lookup",
                    params={"ticket": ticket},
                    headers=key(caller),
                )
                assert mine.status_code == 200, mine.text
                assert len(mine.json()["items"]) == (1 if own else 0), (caller, target)
                # ... and the caller's key opens no other tenant's route
                if not own:
                    theirs = http.get(
                        f"/channels/callcenter/{target}/lookup",
                        params={"ticket": ticket},
                        headers=key(caller),
                    )
                    assert theirs.status_code in (401, 403), (caller, target, theirs.text)
                # Open311: a request is found only in its own tenant's jurisdiction
                for fmt in ("json", "xml"):
                    found = http.get(
                        f"/open311/v2/requests/{requests[target]}.{fmt}",
                        params={"jurisdiction_id": caller},
                    )
                    assert found.status_code == (200 if own else 404), (caller, target, fmt)
                    assert (f"Jalan berlubang di {target}" in found.text) is own
