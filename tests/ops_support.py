"""The console (``/ops``) in tests: the gateway served over loopback with its sync off,
operators as ``gateway users add`` makes them, and clients signed in as them.

Plain functions and context managers, not fixtures: each test file keeps its own
``base_url`` and ``clients`` fixtures (a fixture imported from another test file trips
ruff F811 wherever a test takes it as a parameter) and builds them with these.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from gateway.api.app import create_app
from gateway.bootstrap import Container, build_container
from gateway.ops import accounts
from gateway.ops.models import Operator
from gateway.settings import Settings
from tests.support import ROOT, TENANT_ENV, scaled, serve_in_thread

PASSWORD = "kopi-tubruk-pagi-hari"
#: the console's session cookie
COOKIE = "lapor_ops"
Clients = dict[str, httpx.Client]


def console_app(
    database_url: str,
    *,
    mappings: Path = ROOT / "mappings",
    environ: dict[str, str] = TENANT_ENV,
    **settings: Any,
) -> tuple[Container, FastAPI]:
    """The gateway app without its sync (nothing is sent to the registry), on
    ``database_url`` (already migrated); ``settings`` are further :class:`Settings`."""
    options = {
        "national_url": "http://127.0.0.1:9",  # sync is off: nothing is sent
        "log_format": "json",
        **settings,
    }
    built = Settings(database_url=database_url, mappings_dir=str(mappings), **options)
    container = build_container(built, environ=environ)
    return container, create_app(container, run_sync=False)


@contextmanager
def serve_console(database_url: str, **options: Any) -> Iterator[str]:
    """:func:`console_app` served on a loopback port: its base URL."""
    _container, app = console_app(database_url, **options)
    with serve_in_thread(app) as base:
        yield base


@cache
def password_hash() -> str:
    return accounts.hash_password(PASSWORD)


def operator(
    factory: sessionmaker[Session], username: str, role: str, tenant: str | None
) -> Operator:
    """An operator as ``gateway users add`` makes one, with :data:`PASSWORD` (hashed once
    per test run)."""
    row = Operator(
        id=str(uuid.uuid4()),
        username=username,
        password_hash=password_hash(),
        role=role,
        tenant=tenant,
        display_name=username.capitalize(),
        created_at=datetime.now(UTC),
    )
    with factory() as session, session.begin():
        session.add(row)
    return row


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match is not None
    return match.group(1)


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the login form, as a browser does: the login page's CSRF token
    posted back with the name and password. The answer, not yet checked."""
    form = client.get("/ops/login")
    assert form.status_code == 200
    return client.post(
        "/ops/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(form)},
    )


@contextmanager
def signed_in_clients(
    base_url: str,
    factory: sessionmaker[Session],
    operators: Iterable[tuple[str, str, str | None]],
    *,
    by_form: Collection[str] = (),
    timeout: float = 10,
) -> Iterator[Clients]:
    """A signed-in client per operator ``(username, role, tenant)``, made in that order;
    the ones named in ``by_form`` sign in through the login form, the others get a session
    directly. Every client is closed afterwards."""
    made: Clients = {}
    try:
        for name, role, tenant in operators:
            row = operator(factory, name, role, tenant)
            client = httpx.Client(base_url=base_url, timeout=scaled(timeout))
            made[name] = client
            if name in by_form:
                answer = login(client, name)
                assert answer.status_code == 303, answer.text
            else:
                token, _csrf = accounts.open_session(factory, row)
                client.cookies.set(COOKIE, token)
        yield made
    finally:
        for client in made.values():
            client.close()


def signed_in(
    base_url: str,
    factory: sessionmaker[Session],
    name: str,
    role: str,
    tenant: str | None = None,
) -> httpx.Client:
    """One new operator's client, with a session opened directly; the caller closes it."""
    token, _csrf = accounts.open_session(factory, operator(factory, name, role, tenant))
    client = httpx.Client(base_url=base_url, timeout=scaled(10))
    client.cookies.set(COOKIE, token)
    return client
