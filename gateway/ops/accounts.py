"""Operator accounts: passwords (argon2id), sessions, scope rules and the audit log.

Passwords are hashed with ``argon2.PasswordHasher``'s defaults (argon2id) and
rehashed on login when those defaults move on. A session's token lives only in
the operator's cookie; the database keeps its SHA-256, so a copy of the table
signs nobody in. Sessions expire after 8 hours idle and 24 hours in all.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from sqlmodel import col

from gateway import hierarchy
from gateway.ops.models import AuditLog, Operator, OperatorSession
from gateway.storage.engine import transaction

ROLES = ("national", "tenant", "read_only")
USERNAME = re.compile(r"[a-z0-9._-]{3,64}")
MIN_PASSWORD = 12
IDLE = timedelta(hours=8)
ABSOLUTE = timedelta(hours=24)
#: a session's last_seen_at is written at most this often (not on every page)
TOUCH_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()


class AccountError(ValueError):
    """An account that cannot be created as asked; the message says why."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC: make it aware."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- passwords ------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both cases take as long."""
    return _hasher.hash(secrets.token_urlsafe(16))


# -- accounts -------------------------------------------------------------------


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_account(username: str, password: str, role: str, tenant: str | None) -> None:
    """Raise :class:`AccountError` unless these make a valid account."""
    if not USERNAME.fullmatch(username):
        raise AccountError("username must be 3-64 characters of a-z, 0-9, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password must be at least {MIN_PASSWORD} characters")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role == "tenant" and not tenant:
        raise AccountError("a tenant operator needs --tenant")
    if role == "national" and tenant:
        raise AccountError("a national operator has no tenant")


def add_operator(
    factory: sessionmaker[Session],
    username: str,
    password: str,
    role: str,
    tenant: str | None = None,
    display_name: str | None = None,
) -> Operator:
    """A new operator. Whether ``tenant`` exists is for the caller to check."""
    username = normalise_username(username)
    check_account(username, password, role, tenant)
    operator = Operator(
        id=str(uuid.uuid4()),
        username=username,
        password_hash=hash_password(password),
        role=role,
        tenant=tenant or None,
        display_name=(display_name or username).strip()[:200],
        created_at=now_utc(),
    )
    with transaction(factory) as session:
        if session.scalar(select(col(Operator.id)).where(col(Operator.username) == username)):
            raise AccountError(f"operator {username!r} already exists")
        session.add(operator)
    return operator


def list_operators(factory: sessionmaker[Session]) -> list[Operator]:
    with factory() as session:
        return list(session.scalars(select(Operator).order_by(col(Operator.username))))


def disable_operator(factory: sessionmaker[Session], username: str) -> bool:
    """Disable the operator and end their sessions; False if there is no such operator."""
    with transaction(factory) as session:
        operator = session.scalars(
            select(Operator).where(col(Operator.username) == normalise_username(username))
        ).first()
        if operator is None:
            return False
        if operator.disabled_at is None:
            operator.disabled_at = now_utc()
        session.execute(
            delete(OperatorSession).where(col(OperatorSession.operator_id) == operator.id)
        )
    return True


def authenticate(factory: sessionmaker[Session], username: str, password: str) -> Operator | None:
    """The operator if the password is theirs and they are not disabled.

    A password is verified whether or not the user exists, so the answer's timing
    does not say which usernames exist.
    """
    username = normalise_username(username)[:64]
    with factory() as session:
        operator = session.scalars(
            select(Operator).where(col(Operator.username) == username)
        ).first()
    if operator is None:
        verify_password(_dummy_hash(), password)
        return None
    if not verify_password(operator.password_hash, password) or operator.disabled_at is not None:
        return None
    with transaction(factory) as session:
        stored = session.get(Operator, operator.id)
        if stored is None:
            return None
        if _hasher.check_needs_rehash(stored.password_hash):
            stored.password_hash = hash_password(password)
        stored.last_login_at = now_utc()
        return stored


# -- sessions -------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    factory: sessionmaker[Session], operator: Operator, now: datetime | None = None
) -> tuple[str, str]:
    """A new session for ``operator``: (the cookie's token, the session's CSRF token)."""
    now = now or now_utc()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with transaction(factory) as session:
        session.add(
            OperatorSession(
                token_hash=token_hash(token),
                operator_id=operator.id,
                csrf_token=csrf,
                created_at=now,
                expires_at=now + IDLE,
                last_seen_at=now,
            )
        )
    return token, csrf


def session_operator(
    factory: sessionmaker[Session], token: str, now: datetime | None = None
) -> tuple[Operator, str] | None:
    """The operator signed in with ``token`` and the session's CSRF token, or None.

    A live session's idle expiry slides forward, never past 24 hours from sign-in.
    An expired session, or a disabled operator's, is deleted.
    """
    if not token or len(token) > 128:
        return None
    now = now or now_utc()
    with transaction(factory) as session:
        row = session.get(OperatorSession, token_hash(token))
        if row is None:
            return None
        operator = session.get(Operator, row.operator_id)
        if operator is None or operator.disabled_at is not None or aware(row.expires_at) <= now:
            session.delete(row)
            return None
        if now - aware(row.last_seen_at) >= TOUCH_EVERY:
            row.last_seen_at = now
            row.expires_at = min(now + IDLE, aware(row.created_at) + ABSOLUTE)
        return operator, row.csrf_token


def close_session(factory: sessionmaker[Session], token: str) -> None:
    with transaction(factory) as session:
        session.execute(
            delete(OperatorSession).where(col(OperatorSession.token_hash) == token_hash(token))
        )


# -- audit ----------------------------------------------------------------------


def audit(
    target: sessionmaker[Session] | Session,
    operator: Operator | None,
    action: str,
    *,
    username: str | None = None,
    tenant: str | None = None,
    complaint_id: str | None = None,
    job_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Record what an operator did: in ``target``'s transaction if it is a session.

    ``detail`` must not hold personal data in clear (names, phone numbers, NIK).
    """
    entry = AuditLog(
        at=now_utc(),
        operator_id=operator.id if operator else None,
        username=(operator.username if operator else normalise_username(username or ""))[:64],
        action=action,
        tenant=tenant if tenant is not None else (operator.tenant if operator else None),
        complaint_id=complaint_id,
        job_id=job_id,
        detail=detail,
    )
    if isinstance(target, Session):
        target.add(entry)
        return
    with transaction(target) as session:
        session.add(entry)


# -- scope ----------------------------------------------------------------------


class Scoped(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def tenant(self) -> str | None: ...


@dataclass(frozen=True)
class Scope:
    """What an operator (or anything with a role and a tenant) may see and do."""

    role: str
    tenant: str | None
    #: a scoped operator's tenant and every tenant below it (:func:`gateway.hierarchy.family`);
    #: None: the tenant alone
    tenants: frozenset[str] | None = None

    @classmethod
    def of(cls, operator: Scoped, tenants: Mapping[str, Any] | None = None) -> Scope:
        """``operator``'s scope; with the gateway's ``tenants``, a province's operator
        sees the regencies and cities below it too."""
        below = (
            frozenset(hierarchy.family(tenants, operator.tenant))
            if tenants is not None and operator.tenant
            else None
        )
        return cls(operator.role, operator.tenant, below)

    def can_see(self, tenant: str) -> bool:
        """National and unscoped read-only operators see every tenant; others their own
        and those below it."""
        if self.role == "national" or (self.role == "read_only" and self.tenant is None):
            return True
        if self.tenant is None:
            return False
        return tenant in self.tenants if self.tenants is not None else self.tenant == tenant

    def can_act(self) -> bool:
        """Retry, edit and dismiss: not for read-only operators."""
        return self.role in ("national", "tenant")

    def can_reveal(self, confidential: bool) -> bool:
        """A read-only operator never sees a confidential complaint's reporter."""
        return self.role in ("national", "tenant") or not confidential


def can_see(operator: Scoped, tenant: str) -> bool:
    return Scope.of(operator).can_see(tenant)


def can_act(operator: Scoped) -> bool:
    return Scope.of(operator).can_act()


def can_reveal(operator: Scoped, confidential: bool) -> bool:
    return Scope.of(operator).can_reveal(confidential)
