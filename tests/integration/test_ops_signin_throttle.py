"""Sign-in throttling over a real loopback server: guessing is slowed, nobody is locked out.

The clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3, ...), so the
gateway sees different peers without believing any header. The throttle's clock is
injected (``app.state.ops_clock``): waiting is advancing it, nothing sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from gateway.ops import accounts
from gateway.ops.models import AuditLog
from tests import ops_support
from tests.ops_support import PASSWORD, console_app
from tests.support import scaled, serve_in_thread

WRONG = "tebakan-yang-salah"
A, B = "127.0.0.2", "127.0.0.3"


class Clock:
    """The console's clock for these tests: the wall clock's start, moved by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


Client = Callable[..., httpx.Client]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def serve(
    engine: Any, database_url: str, clock: Clock
) -> Callable[..., AbstractContextManager[Client]]:
    """The gateway over loopback (uvicorn ``options``); yields a maker of clients
    connecting from a given loopback address."""

    @contextmanager
    def served(**options: Any) -> Iterator[Client]:
        _container, app = console_app(database_url)
        app.state.ops_clock = clock
        made: list[httpx.Client] = []

        def client(address: str, headers: dict[str, str] | None = None) -> httpx.Client:
            transport = httpx.HTTPTransport(local_address=address)
            made.append(
                httpx.Client(
                    base_url=base, transport=transport, timeout=scaled(10), headers=headers
                )
            )
            return made[-1]

        with serve_in_thread(app, **options) as base:
            try:
                yield client
            finally:
                for each in made:
                    each.close()

    return served


@pytest.fixture
def gateway(serve: Callable[..., AbstractContextManager[Client]]) -> Iterator[Client]:
    with serve() as client:
        yield client


def login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    answer = ops_support.login(client, username, password)
    client.cookies.clear()  # each attempt as a fresh browser would make it
    return answer


def retry_after(answer: httpx.Response) -> int:
    assert answer.status_code == 429, answer.text
    assert "lapor_ops=" not in answer.headers.get("set-cookie", "")
    return int(answer.headers["retry-after"])


def failed_from(factory: sessionmaker[Session]) -> list[str | None]:
    with factory() as session:
        rows = session.scalars(select(AuditLog).where(AuditLog.action == "login_failed"))  # type: ignore[arg-type]
        return [row.detail for row in rows]


def test_guessing_from_one_address_does_not_keep_the_operator_out_from_another(
    gateway: Client, factory: sessionmaker[Session], clock: Clock
) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi")
    attacker, operator = gateway(A), gateway(B)
    while len(failed_from(factory)) < 5:  # five wrong passwords, waiting when told to
        answer = login(attacker, "budi", WRONG)
        if answer.status_code == 429:
            clock.advance(retry_after(answer))
        else:
            assert answer.status_code == 401
    assert failed_from(factory) == [f"client {A}"] * 5
    assert login(operator, "budi").status_code == 303  # the right password, elsewhere


def test_repeated_failures_are_slowed_more_and_more_up_to_a_cap(
    gateway: Client, factory: sessionmaker[Session], clock: Clock
) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi")
    attacker = gateway(A)
    for _ in range(3):  # a few mistakes cost nothing
        assert login(attacker, "budi", WRONG).status_code == 401
    waits = []
    for _ in range(8):
        refused = login(attacker, "budi", WRONG)
        wait = retry_after(refused)
        waits.append(wait)
        message = f"Terlalu banyak percobaan masuk; coba lagi dalam {wait} detik"
        assert message in refused.text or "menit" in refused.text
        assert login(attacker, "budi").status_code == 429  # not even the right password
        clock.advance(wait)
        assert login(attacker, "budi", WRONG).status_code == 401  # counted again
    assert waits == [5, 10, 20, 40, 80, 160, 300, 300]
    assert len(failed_from(factory)) == 3 + 8  # refused attempts are not counted
    # the operator elsewhere is not slowed at all
    assert login(gateway(B), "budi").status_code == 303
    # an hour without failures and the address starts afresh
    clock.advance(3600)
    assert login(attacker, "budi", WRONG).status_code == 401


def test_a_sign_in_clears_its_own_address_count_only(
    gateway: Client, factory: sessionmaker[Session], clock: Clock
) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi")
    here = gateway(A)
    for _ in range(3):
        assert login(here, "budi", WRONG).status_code == 401
    assert retry_after(login(here, "budi", WRONG)) == 5
    clock.advance(5)
    assert login(here, "budi").status_code == 303  # the operator, after a few typos
    clock.advance(1)
    assert login(here, "budi", WRONG).status_code == 401  # starts afresh


def test_an_address_failing_across_many_usernames_is_slowed_too(
    gateway: Client, factory: sessionmaker[Session], clock: Clock
) -> None:
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi")
    sprayer = gateway(A)
    for i in range(10):
        assert login(sprayer, f"tebak{i}", WRONG).status_code == 401
    first = retry_after(login(sprayer, "orang-lain", WRONG))
    assert first == 5
    clock.advance(first)
    assert login(sprayer, "orang-lain", WRONG).status_code == 401
    assert retry_after(login(sprayer, "budi")) == 10
    assert login(gateway(B), "budi").status_code == 303  # another address is not


def test_x_forwarded_for_is_believed_only_from_a_configured_proxy(
    serve: Callable[..., AbstractContextManager[Client]], factory: sessionmaker[Session]
) -> None:
    """As ``gateway serve`` runs uvicorn: no proxy by default, the configured one when set
    (tests/e2e/test_signin_proxy.py starts the real command)."""
    accounts.add_operator(factory, "budi", PASSWORD, "national", display_name="Budi")
    spoof = {"X-Forwarded-For": "10.9.9.9"}
    with serve(proxy_headers=False) as client:  # GATEWAY_FORWARDED_ALLOW_IPS unset
        assert login(client(A, spoof), "budi", WRONG).status_code == 401
    assert failed_from(factory) == [f"client {A}"]
    with serve(forwarded_allow_ips=A) as client:  # GATEWAY_FORWARDED_ALLOW_IPS=127.0.0.2
        assert login(client(A, spoof), "budi", WRONG).status_code == 401
        assert login(client(B, spoof), "budi", WRONG).status_code == 401  # not the proxy
    assert failed_from(factory) == [f"client {A}", "client 10.9.9.9", f"client {B}"]
