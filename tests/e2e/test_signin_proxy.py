"""`gateway serve` believes X-Forwarded-For from no proxy unless one is configured.

Anything on the gateway's host (or a proxy that passes the header on unchecked) could
otherwise choose the address the console's sign-in throttle and the rate limits count.
The address a failed sign-in came from is in the audit log.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from gateway.ops.models import AuditLog
from gateway.settings import Settings
from gateway.storage.engine import make_engine, make_session_factory
from tests.e2e.conftest import gateway_process
from tests.support import scaled

pytestmark = pytest.mark.e2e

SPOOF = {"X-Forwarded-For": "10.9.9.9"}


def failed_sign_in_from(base: str, database_url: str) -> str | None:
    """Fail a sign-in saying X-Forwarded-For 10.9.9.9; the address it was counted under."""
    with httpx.Client(base_url=base, timeout=scaled(10), headers=SPOOF) as client:
        form = client.get("/ops/login")
        match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert match is not None
        data = {"username": "budi", "password": "salah-sekali-ini", "csrf_token": match[1]}
        assert client.post("/ops/login", data=data).status_code == 401
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            row = session.scalars(select(AuditLog).where(AuditLog.action == "login_failed")).one()  # type: ignore[arg-type]
            session.delete(row)
            session.commit()
            return row.detail
    finally:
        engine.dispose()


def test_forwarded_for_is_not_believed_by_default_and_is_from_a_configured_proxy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GATEWAY_FORWARDED_ALLOW_IPS", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)  # uvicorn's own
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    national = "http://127.0.0.1:9"  # nothing is sent: --no-sync
    with gateway_process(tmp_path, database_url, national, serve_args=("--no-sync",)) as base:
        assert failed_sign_in_from(base, database_url) == "client 127.0.0.1"
    trusted = {"GATEWAY_FORWARDED_ALLOW_IPS": "127.0.0.1"}  # behind a proxy on this host
    with gateway_process(
        tmp_path, database_url, national, trusted, serve_args=("--no-sync",)
    ) as base:
        assert failed_sign_in_from(base, database_url) == "client 10.9.9.9"


def test_the_setting_trusts_no_proxy_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GATEWAY_FORWARDED_ALLOW_IPS", raising=False)
    assert Settings(_env_file=None).forwarded_allow_ips == ""  # type: ignore[call-arg]
