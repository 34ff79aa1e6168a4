"""Sign-in throttling: guessing gets slower and slower; nobody is locked out.

Counted from the audit log's ``login_failed`` rows (``detail`` is the address the
attempt came from), so every process of the gateway sees the same count and a
restart forgets nothing. Two counts, each over the last :data:`WINDOW`:

* one username from one address: the first :data:`PAIR_FREE` failures cost
  nothing; after that each further attempt waits :data:`BASE` seconds after the
  last failure, doubling with every failure, at most :data:`CAP`. A successful
  sign-in from that address clears this count. The same username from another
  address has its own count: guessing from one address never keeps the real
  operator, elsewhere, out.
* one address, whatever the usernames: the same, after :data:`ADDRESS_FREE`
  failures, so an address trying many usernames is slowed as well.

An attempt made during its wait is answered 429 with ``Retry-After`` without looking
at the password, and is not counted. IPv6 addresses count by their /64 network (one
host usually has a whole /64 to pick from).
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.ops.accounts import aware, normalise_username, now_utc
from gateway.ops.models import AuditLog, Operator
from gateway.storage.engine import transaction

#: a clock giving aware UTC datetimes; tests inject one (``app.state.ops_clock``)
Clock = Callable[[], datetime]

WINDOW = timedelta(hours=1)
#: failures of one username from one address before any wait
PAIR_FREE = 3
#: failures from one address (any usernames) before any wait
ADDRESS_FREE = 10
#: the first wait, doubled for each failure after it
BASE = timedelta(seconds=5)
#: the longest wait
CAP = timedelta(minutes=5)
FAILED = "login_failed"
LOGIN = "login"


def address_key(client: str) -> str:
    """The address failures are counted by: IPv4 as is, IPv6 its /64 network."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client[:64]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def client_note(client: str) -> str:
    """The ``detail`` of a sign-in's audit row: the address it came from."""
    return f"client {address_key(client)}"[:100]


def delay(failures: int, free: int) -> timedelta:
    """How long after the last of ``failures`` the next attempt must wait."""
    if failures < free:
        return timedelta(0)
    doublings: int = min(failures - free, 16)
    return min(BASE * (1 << doublings), CAP)


def wait_seconds(
    factory: sessionmaker[Session], username: str, client: str, now: datetime | None = None
) -> int:
    """How long this username from this address must wait before trying; 0: go ahead."""
    now = now or now_utc()
    since = now - WINDOW
    name = normalise_username(username)[:64]
    note = client_note(client)
    with factory() as session:
        last_login = session.scalar(
            select(col(AuditLog.at))
            .where(
                col(AuditLog.action) == LOGIN,
                col(AuditLog.username) == name,
                col(AuditLog.detail) == note,
                col(AuditLog.at) > since,
            )
            .order_by(col(AuditLog.at).desc())
            .limit(1)
        )
        pair_since = max(since, aware(last_login)) if last_login is not None else since
        by_pair = _failures(
            session, (col(AuditLog.username) == name) & (col(AuditLog.detail) == note), pair_since
        )
        by_address = _failures(session, col(AuditLog.detail) == note, since)
    waits = [
        aware(failures[0]) + delay(len(failures), free) - now
        for failures, free in ((by_pair, PAIR_FREE), (by_address, ADDRESS_FREE))
        if len(failures) >= free
    ]
    longest = max(waits, default=timedelta(0))
    if longest <= timedelta(0):
        return 0
    return max(1, math.ceil(longest.total_seconds()))


def _failures(session: Session, who: ColumnElement[bool], since: datetime) -> list[datetime]:
    """The failures of ``who`` after ``since``, newest first (enough to reach the cap)."""
    most = max(PAIR_FREE, ADDRESS_FREE) + 8  # 2**8 x BASE is well past CAP
    return list(
        session.scalars(
            select(col(AuditLog.at))
            .where(col(AuditLog.action) == FAILED, who, col(AuditLog.at) > since)
            .order_by(col(AuditLog.at).desc())
            .limit(most)
        )
    )


def record(
    factory: sessionmaker[Session],
    operator: Operator | None,
    username: str,
    client: str,
    at: datetime | None = None,
) -> None:
    """Audit a sign-in from ``client``: ``login`` for ``operator``, else ``login_failed``."""
    entry = AuditLog(
        at=at or now_utc(),
        operator_id=operator.id if operator else None,
        username=(operator.username if operator else normalise_username(username))[:64],
        action=LOGIN if operator else FAILED,
        tenant=operator.tenant if operator else None,
        detail=client_note(client),
    )
    with transaction(factory) as session:
        session.add(entry)
