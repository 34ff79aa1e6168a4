"""Operators signing in and out of the console over a real loopback server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from gateway.cli import app as cli_app
from gateway.ops import accounts
from gateway.ops.models import AuditLog, Operator, OperatorSession
from tests.ops_support import PASSWORD, csrf_of, login, serve_console
from tests.support import ROOT, TENANT_ENV, scaled

HTML = {"Accept": "text/html"}


@pytest.fixture
def gateway(engine, database_url: str) -> Iterator[httpx.Client]:
    with (
        serve_console(database_url) as base,
        httpx.Client(base_url=base, timeout=scaled(10)) as client,
    ):
        yield client


def audit_actions(factory: sessionmaker[Session]) -> list[tuple[str, str, str | None]]:
    with factory() as session:
        rows = session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(r.action, r.username, r.operator_id) for r in rows]


def session_count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return len(session.scalars(select(OperatorSession)).all())


def test_wrong_password_is_401_audited_and_opens_no_session(gateway, factory) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi")
    answer = login(gateway, "budi", "salah-sekali-pokoknya")
    assert answer.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in answer.text
    assert "lapor_ops=" not in answer.headers.get("set-cookie", "")
    unknown = login(gateway, "siapa", "salah-sekali-pokoknya")
    assert unknown.status_code == 401 and unknown.text.count("salah") == answer.text.count("salah")
    assert audit_actions(factory) == [
        ("login_failed", "budi", None),
        ("login_failed", "siapa", None),
    ]
    with factory() as session:  # the address the attempt came from; nothing typed
        assert {r.detail for r in session.scalars(select(AuditLog))} == {"client 127.0.0.1"}
    assert session_count(factory) == 0


def test_guessing_passwords_is_slowed_per_username_and_address_and_per_address(
    gateway, factory
) -> None:
    # (tests/integration/test_ops_signin_throttle.py: the growing waits, other addresses)
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi")
    for _ in range(2):
        assert login(gateway, "budi", "tebakan-yang-salah").status_code == 401
    assert login(gateway, "budi").status_code == 303  # a success clears the count
    gateway.cookies.clear()
    for _ in range(3):
        assert login(gateway, "budi", "tebakan-yang-salah").status_code == 401
    refused = login(gateway, "Budi")  # the right password, but too soon
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 5
    assert "Terlalu banyak percobaan masuk" in refused.text
    assert "lapor_ops=" not in refused.headers.get("set-cookie", "")
    assert audit_actions(factory)[-1] == ("login_failed", "budi", None)  # not counted again
    # after the wait the username may try again
    with factory() as session, session.begin():
        session.execute(update(AuditLog).values(at=AuditLog.at - timedelta(minutes=16)))
    assert login(gateway, "budi").status_code == 303
    gateway.cookies.clear()

    # one address trying many usernames is slowed too
    now = datetime.now(UTC)
    with factory() as session, session.begin():
        for i in range(20):
            session.add(
                AuditLog(
                    at=now - timedelta(minutes=1),
                    username=f"tebak{i}",
                    action="login_failed",
                    detail="client 127.0.0.1",
                )
            )
    assert login(gateway, "budi").status_code == 429


def test_login_page_and_home_carry_the_security_headers(gateway, factory) -> None:
    page = gateway.get("/ops/login")
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    refused = gateway.get("/ops")
    assert refused.status_code == 401 and refused.headers["x-frame-options"] == "DENY"


def test_login_without_the_form_token_is_refused(gateway, factory) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national")
    answer = gateway.post("/ops/login", data={"username": "budi", "password": PASSWORD})
    assert answer.status_code == 403 and session_count(factory) == 0
    gateway.get("/ops/login")  # the cookie is set, but the form field is another's
    forged = gateway.post(
        "/ops/login", data={"username": "budi", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403 and session_count(factory) == 0


def test_login_home_and_logout(gateway, factory) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi Santoso")
    answer = login(gateway, "Budi", PASSWORD)  # usernames are not case-sensitive
    assert answer.status_code == 303 and answer.headers["location"] == "/ops"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("lapor_ops="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    with factory() as session:
        stored = session.scalars(select(OperatorSession)).one()
        token = gateway.cookies["lapor_ops"]
        assert stored.token_hash == accounts.token_hash(token) and token not in stored.token_hash
        assert session.scalars(select(Operator)).one().last_login_at is not None

    home = gateway.get("/ops", headers=HTML)
    assert home.status_code == 200 and "Masuk sebagai Budi Santoso (nasional)" in home.text
    csrf = csrf_of(home)

    refused = gateway.post("/ops/logout", data={"csrf_token": "not-the-token"})
    assert refused.status_code == 403 and session_count(factory) == 1
    assert gateway.post("/ops/logout").status_code == 403
    assert gateway.get("/ops", headers=HTML).status_code == 200

    out = gateway.post("/ops/logout", data={"csrf_token": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/ops/login"
    assert session_count(factory) == 0
    gateway.cookies.set("lapor_ops", token)  # the old cookie no longer signs anyone in
    again = gateway.get("/ops", headers=HTML)
    assert again.status_code == 303 and again.headers["location"] == "/ops/login"
    assert gateway.get("/ops").status_code == 401
    assert [a for a, _, _ in audit_actions(factory)] == ["login", "logout"]


def test_csrf_header_works_for_scripts(gateway, factory) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national")
    login(gateway, "budi")
    csrf = csrf_of(gateway.get("/ops"))
    assert gateway.post("/ops/logout", headers={"X-CSRF-Token": csrf}).status_code == 303
    assert session_count(factory) == 0


def test_an_expired_session_is_refused(gateway, factory) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national")
    login(gateway, "budi")
    assert gateway.get("/ops").status_code == 200
    past = datetime.now(UTC) - timedelta(seconds=1)
    with factory() as session, session.begin():
        session.execute(update(OperatorSession).values(expires_at=past))
    assert gateway.get("/ops", headers=HTML).status_code == 303
    assert session_count(factory) == 0


def test_sessions_slide_when_used_but_never_past_24_hours(factory) -> None:
    operator = accounts.add_operator(factory, "budi", PASSWORD, "national")
    start = datetime.now(UTC)
    token, csrf = accounts.open_session(factory, operator, now=start)
    hours = timedelta(hours=1)
    for step in range(1, 23, 7):  # used every 7 hours: still signed in at 22 hours
        found = accounts.session_operator(factory, token, now=start + step * hours)
        assert found is not None and found[1] == csrf
    assert accounts.session_operator(factory, token, now=start + 24 * hours) is None

    token, _ = accounts.open_session(factory, operator, now=start)
    assert accounts.session_operator(factory, token, now=start + 8 * hours + hours) is None


def test_a_disabled_operator_cannot_sign_in_and_is_signed_out(gateway, factory) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national")
    login(gateway, "budi")
    assert accounts.disable_operator(factory, "budi")
    assert gateway.get("/ops").status_code == 401
    assert login(gateway, "budi").status_code == 401
    assert session_count(factory) == 0


def test_a_stale_hash_is_upgraded_at_login(factory) -> None:
    operator = accounts.add_operator(factory, "budi", PASSWORD, "national")
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    with factory() as session, session.begin():
        session.execute(update(Operator).values(password_hash=weak))
    assert accounts.authenticate(factory, "budi", PASSWORD) is not None
    with factory() as session:
        stored = session.get(Operator, operator.id)
        assert stored is not None and stored.password_hash != weak
        assert accounts.verify_password(stored.password_hash, PASSWORD)


def test_users_add_on_the_command_line_then_sign_in(
    gateway, factory, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        **TENANT_ENV,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_NATIONAL_URL": "http://127.0.0.1:9",
        "GATEWAY_MAPPINGS_DIR": str(ROOT / "mappings"),
        "COLUMNS": "200",
    }
    runner = CliRunner()
    args = ["users", "add", "Siti.L", "--role", "tenant", "--tenant", "lampung"]
    added = runner.invoke(
        cli_app,
        [*args, "--name", "Siti Lampung", "--password-stdin"],
        input=f"{PASSWORD}\n",
        env=env,
    )
    assert added.exit_code == 0, added.output
    unknown = runner.invoke(
        cli_app,
        ["users", "add", "eko", "--role", "tenant", "--tenant", "atlantis", "--password-stdin"],
        input=f"{PASSWORD}\n",
        env=env,
    )
    assert unknown.exit_code == 2 and "unknown tenant" in unknown.output
    short = runner.invoke(
        cli_app,
        ["users", "add", "eko", "--role", "national", "--password-stdin"],
        input="pendek\n",
        env=env,
    )
    assert short.exit_code == 2 and "at least 12" in short.output
    listed = runner.invoke(cli_app, ["users", "list"], env=env)
    assert "siti.l" in listed.output and "eko" not in listed.output

    answer = login(gateway, "siti.l")
    assert answer.status_code == 303
    home = gateway.get("/ops")
    assert "Masuk sebagai Siti Lampung (operator penyelenggara, " in home.text
    assert '<span title="lampung">Pemerintah Provinsi Lampung</span>)' in home.text

    # a tenant operator's scope is its tenant only
    found = accounts.session_operator(factory, gateway.cookies["lapor_ops"])
    assert found is not None
    operator, _ = found
    assert accounts.can_see(operator, "lampung") and not accounts.can_see(operator, "kalsel")
    assert accounts.can_act(operator)

    disabled = runner.invoke(cli_app, ["users", "disable", "siti.l"], env=env)
    assert disabled.exit_code == 0, disabled.output
    assert gateway.get("/ops").status_code == 401
