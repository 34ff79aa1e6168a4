"""The sandbox's administration (``/_sandbox/*``) needs its admin token: on the
gateway's own port (``make run``: ``gateway serve`` with no GATEWAY_NATIONAL_URL
mounts the sandbox at ``/sandbox``) and in ``gateway sandbox``. Both print the token
at start; GATEWAY_SANDBOX_ADMIN_TOKEN fixes it. The national contract (``/api/v1``,
tenant tokens) is unchanged, and production still refuses the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from gateway.migrations import upgrade
from gateway.settings import Settings
from gateway.storage.engine import make_engine
from tests.support import ROOT, TENANT_ENV, child_process, free_port, python, scaled, wait_until

PRINTED = re.compile(r"sandbox admin token: (\S+)")
LAMPUNG_KEY = {"X-API-Key": TENANT_ENV["GATEWAY_LAMPUNG_API_KEY"]}
LAMPUNG_NATIONAL = {"Authorization": f"Bearer {TENANT_ENV['GATEWAY_LAMPUNG_NATIONAL_TOKEN']}"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def printed_token(log: Path) -> str:
    found = wait_until(lambda: PRINTED.search(log.read_text()), what="the printed admin token")
    return found.group(1)


def assert_refused(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    body = answer.json()
    assert body["error"] == "unauthorized"
    assert "Token admin sandbox tidak ada atau salah" in body["message"]  # Indonesian first
    assert "sandbox admin token" in body["message_en"]
    assert answer.headers["www-authenticate"].startswith("Bearer")


def assert_admin_needs_the_token(http: httpx.Client, admin: str, token: str) -> None:
    """Every administration route refuses no token and a wrong one, before reading the body."""
    for headers in ({}, bearer("not-the-token"), {"Authorization": token}):
        assert_refused(http.get(f"{admin}/complaints", headers=headers))
        assert_refused(http.get(f"{admin}/stats", headers=headers))
        assert_refused(http.get(f"{admin}/faults", headers=headers))
        assert_refused(http.put(f"{admin}/faults", json={"error_rate": 1.0}, headers=headers))
        assert_refused(http.patch(f"{admin}/faults", json={"error_rate": 1}, headers=headers))
        assert_refused(http.post(f"{admin}/advance", json={}, headers=headers))
        assert_refused(http.post(f"{admin}/advance", content=b"{not json", headers=headers))
    assert http.get(f"{admin}/health").status_code == 200  # the readiness probe stays open


def test_make_run_prints_the_token_and_the_admin_on_the_gateway_port_needs_it(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    env = {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
        "GATEWAY_SANDBOX_DB": str(tmp_path / "sandbox.db"),
        "GATEWAY_SANDBOX_STEP_SECONDS": "0",  # moved only by /advance
        "GATEWAY_SANDBOX_ADMIN_TOKEN": "",  # unset: a random one, printed
        "GATEWAY_DISPATCH_INTERVAL": "0.2",
        "GATEWAY_LOG_FORMAT": "json",
    }
    port, log = free_port(), tmp_path / "gateway.log"
    base = f"http://127.0.0.1:{port}"
    command = [python(), "-m", "gateway", "serve", "--port", str(port)]
    with (
        child_process(command, env, f"{base}/healthz", log),
        httpx.Client(base_url=base, timeout=scaled(10)) as http,
    ):
        admin = "/sandbox/_sandbox"
        # the old, open administration: anyone listed and moved every tenant's complaints
        assert_refused(http.get(f"{admin}/complaints"))
        token = printed_token(log)
        assert len(token) >= 32
        assert_admin_needs_the_token(http, admin, token)

        created = http.post(
            "/channels/api/lampung/complaints",
            headers=LAMPUNG_KEY,
            json={
                "source_ref": "CC-ADMIN-0001",
                "title": "Lampu jalan mati di Jl. Teuku Umar",
                "content": "Lampu jalan mati sejak seminggu, jalan gelap di malam hari.",
                "region_code": "18.71",
            },
        )
        assert created.status_code == 202, created.text
        url = f"/complaints/{created.json()['id']}"
        tracking = wait_until(
            lambda: http.get(url, headers=LAMPUNG_KEY).json()["tracking_id"], what="tracking ID"
        )
        # the national contract still answers the tenant's own token, not the admin one
        detail = http.get(f"/sandbox/api/v1/complaints/{tracking}", headers=LAMPUNG_NATIONAL)
        assert detail.status_code == 200, detail.text
        assert http.get(f"/sandbox/api/v1/complaints/{tracking}").status_code == 401

        listed = http.get(f"{admin}/complaints", headers=bearer(token))
        assert listed.status_code == 200, listed.text
        assert [c["tracking_id"] for c in listed.json()["items"]] == [tracking]
        moved = http.post(
            f"{admin}/advance",
            json={"tracking_id": tracking, "status": "terverifikasi"},
            headers=bearer(token),
        )
        assert moved.status_code == 200, moved.text
        assert http.get(f"{admin}/stats", headers=bearer(token)).status_code == 200
        assert http.put(f"{admin}/faults", json={}, headers=bearer(token)).status_code == 200
    # printed on the console, never in the JSON log lines
    assert all(token not in line for line in log.read_text().splitlines() if line.startswith("{"))


def standalone(tmp_path: Path) -> tuple[list[str], str, Path]:
    port = free_port()
    command = [python(), "-m", "gateway.sandbox.cli", "--port", str(port)]
    command += ["--db", str(tmp_path / f"sandbox-{port}.db"), "--step-seconds", "0"]
    return command, f"http://127.0.0.1:{port}", tmp_path / f"sandbox-{port}.log"


def test_gateway_sandbox_prints_its_token_and_its_admin_needs_it(tmp_path: Path) -> None:
    command, base, log = standalone(tmp_path)
    with (
        child_process(command, {"GATEWAY_SANDBOX_ADMIN_TOKEN": ""}, f"{base}/_sandbox/health", log),
        httpx.Client(base_url=base, timeout=scaled(10)) as http,
    ):
        assert_refused(http.get("/_sandbox/complaints"))
        token = printed_token(log)
        assert_admin_needs_the_token(http, "/_sandbox", token)
        account = bearer("rehearsal-account-0001")  # any bearer token is its own account
        body = {
            "external_ref": "GW-ADMIN-0001",
            "title": "Jalan berlubang di Jl. Teuku Umar",
            "content": "Jalan berlubang besar di depan pasar Kedaton, sudah dua minggu.",
            "classification": "pengaduan",
            "topic_id": 2,
            "region_code": "18.71",
            "channel": "callcenter",
        }
        receipt = http.post("/api/v1/complaints", json=body, headers=account)
        assert receipt.status_code == 201, receipt.text
        tracking = receipt.json()["tracking_id"]
        found = http.get("/_sandbox/complaints", headers=bearer(token)).json()["items"]
        assert [c["tracking_id"] for c in found] == [tracking]
        advance = {"tracking_id": tracking, "status": "terverifikasi"}
        assert http.post("/_sandbox/advance", json=advance, headers=bearer(token)).is_success
        assert http.get(f"/api/v1/complaints/{tracking}", headers=account).json()["status"] == (
            "terverifikasi"
        )


def test_gateway_sandbox_takes_its_token_from_the_environment_and_does_not_print_it(
    tmp_path: Path,
) -> None:
    token = "rehearsal-admin-token-0123456789"
    command, base, log = standalone(tmp_path)
    env = {"GATEWAY_SANDBOX_ADMIN_TOKEN": token}
    with (
        child_process(command, env, f"{base}/_sandbox/health", log),
        httpx.Client(base_url=base, timeout=scaled(10)) as http,
    ):
        assert_admin_needs_the_token(http, "/_sandbox", token)
        assert http.get("/_sandbox/complaints", headers=bearer(token)).status_code == 200
        assert "GATEWAY_SANDBOX_ADMIN_TOKEN" in log.read_text()
    assert token not in log.read_text()


def test_production_still_refuses_the_sandbox() -> None:
    with pytest.raises(ValidationError, match="GATEWAY_NATIONAL_URL must be set in production"):
        Settings(_env_file=None, env="production", sandbox_admin_token="x" * 32)  # type: ignore[arg-type]
