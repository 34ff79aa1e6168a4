"""circuit state per (tenant, process), counted only while its writer lives

Each process wrote its circuit breaker's state into one row per tenant, and only
when its own state changed, so a worker killed while its circuit was open left
"open" behind for good (issue 19). A row is now one process's view
(``owner`` = its worker identity, as in ``worker_heartbeat``), with
``stale_after``: the seconds after which a writer that neither wrote nor renewed
its heartbeat counts as gone. The old rows name no writer, so they cannot be
judged: they are dropped (every live process writes again at its next change,
and no row reads as "closed").

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _table(*, per_process: bool) -> None:
    owner = [sa.Column("owner", sa.String(length=100), nullable=False)] if per_process else []
    stale = [sa.Column("stale_after", sa.Float(), nullable=False)] if per_process else []
    op.create_table(
        "tenant_circuit",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        *owner,
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        *stale,
        sa.PrimaryKeyConstraint("tenant", *(["owner"] if per_process else [])),
    )


def upgrade() -> None:
    op.drop_table("tenant_circuit")
    _table(per_process=True)


def downgrade() -> None:
    op.drop_table("tenant_circuit")
    _table(per_process=False)
