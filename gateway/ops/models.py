"""Operator accounts, their browser sessions, and the audit log of what they did.

Registered on ``SQLModel.metadata`` by ``gateway.storage.models`` (which imports this
module at its end), so migrations and the models are compared as one schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel


def _big_pk() -> Any:
    """A 64-bit autoincrement key (SQLite only autoincrements INTEGER)."""
    big = BigInteger().with_variant(Integer(), "sqlite")
    return Field(default=None, sa_column=Column(big, primary_key=True, autoincrement=True))


class Operator(SQLModel, table=True):
    """A person who uses the console: national, one tenant's, or read-only."""

    __tablename__ = "operator"

    id: str = Field(primary_key=True, max_length=36)
    username: str = Field(max_length=64, unique=True)
    password_hash: str = Field(max_length=200)
    # national | tenant | read_only
    role: str = Field(max_length=16)
    #: the tenant a tenant operator works for; a read-only operator may be scoped too
    tenant: str | None = Field(default=None, max_length=64)
    display_name: str = Field(max_length=200)
    disabled_at: datetime | None = None
    created_at: datetime
    last_login_at: datetime | None = None


class OperatorSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds the token, this row only its SHA-256."""

    __tablename__ = "operator_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    operator_id: str = Field(max_length=36, index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime


class AuditLog(SQLModel, table=True):
    """What an operator did. ``detail`` never holds personal data in clear."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_tenant_at", "tenant", "at"),
        Index("ix_audit_log_operator_at", "operator_id", "at"),
    )

    id: int | None = _big_pk()
    at: datetime = Field(index=True)
    operator_id: str | None = Field(default=None, max_length=36)
    #: as typed at login (for login_failed the operator may not exist)
    username: str = Field(max_length=64)
    # login | login_failed | logout | retry_job | edit_complaint | dismiss |
    # replay_input | dismiss_input | reveal_personal_data
    action: str = Field(max_length=32)
    tenant: str | None = Field(default=None, max_length=64)
    complaint_id: str | None = Field(default=None, max_length=36, index=True)
    job_id: int | None = Field(default=None, sa_type=BigInteger)
    detail: str | None = Field(default=None, sa_column=Column(Text))
