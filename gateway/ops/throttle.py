"""Sign-in throttling: guessing passwords costs an attacker a quarter of an hour.

Counted from the audit log's ``login_failed`` rows, so every process of the
gateway sees the same count and a restart forgets nothing: after
:data:`PER_USERNAME` failures for one username, or :data:`PER_CLIENT` from one
client address, within :data:`WINDOW`, the login answers 429 with ``Retry-After``
without looking at the password. A successful sign-in clears the username's count.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway.ops.accounts import aware, normalise_username, now_utc
from gateway.ops.models import AuditLog

WINDOW = timedelta(minutes=15)
PER_USERNAME = 5
PER_CLIENT = 20
FAILED = "login_failed"


def client_note(client: str) -> str:
    """The ``detail`` of a failed sign-in: the address it came from."""
    return f"client {client}"[:100]


def wait_seconds(
    factory: sessionmaker[Session], username: str, client: str, now: datetime | None = None
) -> int:
    """How long this username or client must wait before trying again; 0: go ahead."""
    now = now or now_utc()
    since = now - WINDOW
    name = normalise_username(username)[:64]
    with factory() as session:
        last_login = session.scalar(
            select(col(AuditLog.at))
            .where(
                col(AuditLog.action) == "login",
                col(AuditLog.username) == name,
                col(AuditLog.at) >= since,
            )
            .order_by(col(AuditLog.at).desc())
            .limit(1)
        )
        by_name = _failures(
            session,
            col(AuditLog.username) == name,
            max(since, _at(last_login, since)),
            PER_USERNAME,
        )
        by_client = _failures(
            session, col(AuditLog.detail) == client_note(client), since, PER_CLIENT
        )
    waits = [
        aware(failures[-1]) + WINDOW - now
        for failures, limit in ((by_name, PER_USERNAME), (by_client, PER_CLIENT))
        if len(failures) >= limit
    ]
    if not waits:
        return 0
    return max(1, math.ceil(max(waits).total_seconds()))


def _at(moment: datetime | None, default: datetime) -> datetime:
    return aware(moment) if moment is not None else default


def _failures(
    session: Session, who: ColumnElement[bool], since: datetime, limit: int
) -> list[datetime]:
    """The newest ``limit`` failures of ``who`` after ``since``, newest first."""
    return list(
        session.scalars(
            select(col(AuditLog.at))
            .where(col(AuditLog.action) == FAILED, who, col(AuditLog.at) > since)
            .order_by(col(AuditLog.at).desc())
            .limit(limit)
        )
    )
