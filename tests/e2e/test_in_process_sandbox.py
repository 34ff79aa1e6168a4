"""`make run`'s set-up: no GATEWAY_NATIONAL_URL, so the sandbox runs inside the gateway."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from gateway.api.app import create_app
from gateway.bootstrap import build_container
from gateway.migrations import upgrade
from gateway.settings import Settings
from tests.support import (
    ROOT,
    SANDBOX_ADMIN,
    SANDBOX_ADMIN_TOKEN,
    TENANT_ENV,
    serve_in_thread,
    wait_until,
)

pytestmark = pytest.mark.e2e
KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}


def test_readme_flow_gets_a_tracking_id_then_the_agency_response(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        mappings_dir=str(ROOT / "mappings"),
        sandbox_db=str(tmp_path / "sandbox.db"),
        sandbox_admin_token=SANDBOX_ADMIN_TOKEN,
        sandbox_step_seconds=0.3,
        sandbox_archive_rate=0,  # this complaint must reach a response, not the archive
        dispatch_interval=0.1,
        pull_interval=0.2,
    )
    container = build_container(settings, environ=TENANT_ENV)
    assert container.sandbox is not None
    upgrade(container.engine)
    with serve_in_thread(create_app(container)) as base, httpx.Client(base_url=base) as http:
        created = http.post(
            "/channels/api/lampung/complaints",
            headers=KEY,
            json={
                "source_ref": "CC-2026-0001",
                "title": "Jalan berlubang di Jl. Teuku Umar",
                "content": "Jalan berlubang besar di depan pasar Kedaton, sudah dua minggu.",
                "region_code": "18.71",
                "reporter": {"name": "Siti Aminah", "phone": "0812-3456-7890"},
            },
        )
        assert created.status_code == 202, created.text
        url = f"/complaints/{created.json()['id']}"

        tracked = wait_until(
            lambda: http.get(url, headers=KEY).json()["tracking_id"], timeout=10, what="tracking ID"
        )

        def answered() -> dict | None:
            body = http.get(url, headers=KEY).json()
            return (
                body if body["response"] and body["status"] in ("in_progress", "resolved") else None
            )

        body = wait_until(answered, timeout=30, what="the agency's response")
        assert body["agency_name"]
        public = http.get(f"/track/{tracked}").json()
        assert public["tracking_id"] == tracked and public["status"] in ("in_progress", "resolved")
        assert http.get("/readyz").status_code == 200
        assert http.get("/sandbox/_sandbox/health").status_code == 200
        accounts = http.get("/sandbox/_sandbox/complaints", headers=SANDBOX_ADMIN).json()["items"]
        assert [a["account"] for a in accounts] == ["lampung"]  # a tenant name, never a token
