"""Tenants in a hierarchy through every console page (issue 20), over a real loopback
server on SQLite and PostgreSQL.

Sumatera Barat (``sumbar``) has two children here: the sample Kabupaten Sijunjung
(mappings/sijunjung.yaml) and a test-only Kota Padang (written into this test's own
mappings folder). A province's operator reads and acts on its children's complaints;
a regency's operator sees neither its sibling's nor its province's (404 "not found",
as for any complaint out of scope); national operators see everything; a read-only
operator scoped to the province reads its children's but acts on nothing.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from gateway.storage.models import Complaint, InboundMessage, OutboxJob
from tests.ops_support import Clients, serve_console, signed_in_clients
from tests.support import ROOT, TENANT_ENV, scaled

#: a second child of Sumatera Barat, for this test only
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
routing:
  2: {agency: 1371-DPUPR}
default_topic_id: 46
default_agency_code: 1371-DPUPR
"""
ENV = {
    **TENANT_ENV,
    "GATEWAY_PADANG_NATIONAL_TOKEN": "test-token-padang-0001",
    "GATEWAY_PADANG_API_KEY": "key-padang-0123456789",
}
FAMILY = ("sumbar", "sijunjung", "padang")
#: operator -> (role, tenant)
OPERATORS = {
    "nasional": ("national", None),
    "provinsi": ("tenant", "sumbar"),
    "kabupaten": ("tenant", "sijunjung"),
    "pantau": ("read_only", "sumbar"),
}


@pytest.fixture
def mappings(tmp_path: Path) -> Path:
    folder = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", folder)
    (folder / "padang.yaml").write_text(PADANG, encoding="utf-8")
    return folder


@pytest.fixture
def base_url(engine, database_url: str, mappings: Path) -> Iterator[str]:
    with serve_console(database_url, mappings=mappings, environ=ENV) as base:
        yield base


@pytest.fixture
def clients(base_url: str, factory: sessionmaker[Session]) -> Iterator[Clients]:
    operators = [(name, role, tenant) for name, (role, tenant) in OPERATORS.items()]
    with signed_in_clients(base_url, factory, operators) as made:
        yield made


@pytest.fixture
def world(base_url: str, factory: sessionmaker[Session]) -> dict[str, dict[str, Any]]:
    """Per tenant of the family: one complaint (past its verification due date, its
    submit job failed) and one quarantined input."""
    found: dict[str, dict[str, Any]] = {}
    for tenant in FAMILY:
        ref = f"{tenant.upper()}-1"
        answer = httpx.post(
            f"{base_url}/channels/api/{tenant}/complaints",
            json={
                "source_ref": ref,
                "title": f"Jalan berlubang {ref}",
                "content": "Jalan berlubang besar di depan pasar nagari, belum diperbaiki.",
            },
            headers={"X-API-Key": ENV[f"GATEWAY_{tenant.upper()}_API_KEY"]},
            timeout=scaled(10),
        )
        assert answer.status_code == 202, answer.text
        complaint_id = answer.json()["id"]
        with factory() as session, session.begin():
            session.execute(
                update(Complaint)
                .where(Complaint.id == complaint_id)  # type: ignore[arg-type]
                .values(verify_due=datetime.now(UTC).date() - timedelta(days=2))
            )
            job = session.scalars(
                select(OutboxJob).where(OutboxJob.complaint_id == complaint_id)  # type: ignore[arg-type]
            ).one()
            job.state, job.attempts = "failed", 3
            job.last_error, job.last_error_kind = "422 topic_id unknown", "permanent"
            session.flush()
            job_id = job.id
            inbound = InboundMessage(
                id=str(uuid.uuid4()),
                tenant=tenant,
                channel="api",
                source_ref=f"{ref}-bad",
                content_type="application/json",
                payload=json.dumps({"judul": "?"}),
                state="quarantined",
                error="content: field required",
                received_at=datetime.now(UTC),
            )
            session.add(inbound)
        found[tenant] = {"ref": ref, "id": complaint_id, "job": job_id, "input": inbound.id}
    return found


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None, page.text[:500]
    return match.group(1)


def tenants_in(page: httpx.Response, world: dict[str, dict[str, Any]], key: str) -> set[str]:
    """The family's tenants whose ``key`` (complaint id, job or input) the page shows."""
    assert page.status_code == 200, page.text[:500]
    anchors = {"id": "/ops/complaints/{}", "job": 'id="job-{}"', "input": 'id="input-{}"'}
    return {t for t, made in world.items() if anchors[key].format(made[key]) in page.text}


def overview_rows(page: httpx.Response) -> dict[str, str]:
    """Per tenant row of the overview: its complaints received today."""
    assert page.status_code == 200, page.text[:500]
    rows = {}
    for tenant in re.findall(r'<tr id="tenant-([\w-]+)"', page.text):
        row = page.text.split(f'id="tenant-{tenant}"', 1)[1].split("</tr>", 1)[0]
        match = re.search(r'class="received">\s*(.*?)\s*</td>', row, re.S)
        rows[tenant] = match.group(1) if match else "?"
    return rows


def sees(client: httpx.Client, world: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """What an operator sees of the family on every list page, and by direct URL."""
    seen = {
        "list": tenants_in(client.get("/ops/complaints"), world, "id"),
        "sla": tenants_in(client.get("/ops/sla"), world, "id"),
        "jobs": tenants_in(client.get("/ops/jobs?state=failed"), world, "job"),
        "inputs": tenants_in(client.get("/ops/inputs"), world, "input"),
        "overview": set(overview_rows(client.get("/ops"))) & set(FAMILY),
        "search": {
            t
            for t, made in world.items()
            if tenants_in(client.get("/ops/complaints", params={"q": made["ref"]}), world, "id")
            == {t}
        },
        "filter": {
            t
            for t in FAMILY
            if tenants_in(client.get("/ops/complaints", params={"tenant": t}), world, "id") == {t}
        },
        "detail": set(),
        "input": set(),
        "fix": set(),
    }
    for tenant, made in world.items():
        for name, path in (
            ("detail", f"/ops/complaints/{made['id']}"),
            ("input", f"/ops/inputs/{made['input']}"),
            ("fix", f"/ops/jobs/{made['job']}/fix"),
        ):
            answer = client.get(path)
            assert answer.status_code in (200, 403, 404), (path, answer.status_code)
            if answer.status_code == 200:
                seen[name].add(tenant)
            elif answer.status_code == 404:
                assert "Tidak ditemukan" in answer.text or "not found" in answer.text.lower()
    return seen


def every(tenants: set[str]) -> dict[str, set[str]]:
    pages = ("list", "sla", "jobs", "inputs", "overview", "search", "filter", "detail", "input")
    return {page: tenants for page in pages}


def test_a_province_sees_its_regencies_and_a_regency_only_itself(clients, world) -> None:
    family, own = set(FAMILY), {"sijunjung"}
    province = sees(clients["provinsi"], world)
    assert {k: v for k, v in province.items() if k != "fix"} == every(family)
    assert province["fix"] == family
    national = sees(clients["nasional"], world)
    assert {k: v for k, v in national.items() if k != "fix"} == every(family)
    regency = sees(clients["kabupaten"], world)
    assert {k: v for k, v in regency.items() if k != "fix"} == every(own)
    assert regency["fix"] == own
    # a read-only operator scoped to the province reads the whole family...
    watcher = sees(clients["pantau"], world)
    assert {k: v for k, v in watcher.items() if k != "fix"} == every(family)
    assert watcher["fix"] == set()  # ... but the repair form is not for it (403)

    # the overview counts each tenant's own complaints, one row each
    rows = overview_rows(clients["provinsi"].get("/ops"))
    assert {t: rows[t] for t in FAMILY} == {t: "1" for t in FAMILY}
    assert set(rows) == set(FAMILY)  # not Lampung, Kalimantan Selatan, Sulawesi Barat
    assert set(overview_rows(clients["kabupaten"].get("/ops"))) == own

    # the oversight page and the complaints behind its figures: the province for its
    # whole family, a regency for itself only
    for who, allowed in (("provinsi", family), ("kabupaten", own), ("pantau", family)):
        for tenant in FAMILY:
            for path in ("/ops/pengawasan", "/ops/pengawasan/pengaduan"):
                answer = clients[who].get(path, params={"tenant": tenant, "step": "received"})
                expected = 200 if tenant in allowed else 404
                assert answer.status_code == expected, (who, tenant, path, answer.text[:300])


def test_a_province_acts_on_its_regencies_and_a_regency_not_on_others(
    clients, world, factory
) -> None:
    def state(job_id: int) -> str:
        with factory() as session:
            job = session.get(OutboxJob, job_id)
            assert job is not None
            return job.state

    def post(who: str, path: str, **data: str) -> httpx.Response:
        client = clients[who]
        form = client.get("/ops/jobs?state=failed")
        return client.post(path, data={"csrf_token": csrf_of(form), **data})

    sijunjung, padang, sumbar = world["sijunjung"], world["padang"], world["sumbar"]
    # the regency touches neither its province's nor its sibling's jobs and inputs
    for target in (sumbar, padang):
        assert post("kabupaten", f"/ops/jobs/{target['job']}/retry").status_code == 404
        answer = post("kabupaten", f"/ops/jobs/{target['job']}/dismiss", reason="bukan kami")
        assert answer.status_code == 404
        answer = post("kabupaten", f"/ops/inputs/{target['input']}/dismiss", reason="spam")
        assert answer.status_code == 404
        assert post("kabupaten", f"/ops/complaints/{target['id']}/reveal").status_code == 404
        assert state(target["job"]) == "failed"
    # the province's read-only operator reads but does not act
    assert post("pantau", f"/ops/jobs/{sijunjung['job']}/retry").status_code == 403
    answer = post("pantau", f"/ops/inputs/{padang['input']}/dismiss", reason="spam")
    assert answer.status_code == 403
    assert state(sijunjung["job"]) == "failed"
    # the province retries its regency's job and dismisses its city's input
    retried = post("provinsi", f"/ops/jobs/{sijunjung['job']}/retry")
    assert retried.status_code == 303, retried.text[:300]
    assert state(sijunjung["job"]) == "pending"
    dismissed = post("provinsi", f"/ops/inputs/{padang['input']}/dismiss", reason="uji coba")
    assert dismissed.status_code == 303, dismissed.text[:300]
    with factory() as session:
        row = session.get(InboundMessage, padang["input"])
        assert row is not None and row.state == "dismissed"
    # and the regency acts on its own
    own = post("kabupaten", f"/ops/inputs/{sijunjung['input']}/dismiss", reason="ganda")
    assert own.status_code == 303, own.text[:300]
