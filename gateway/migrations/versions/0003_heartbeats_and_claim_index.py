"""worker heartbeats (per-tenant limits shared across processes), claim index per kind

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "worker_heartbeat",
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner"),
    )
    # a claim reads one tenant's jobs of one kind, oldest due first: with the kind
    # in the index it stops after ``limit`` rows instead of sorting the backlog
    with op.batch_alter_table("outbox_job") as batch:
        batch.drop_index("ix_outbox_tenant_due")
        batch.create_index("ix_outbox_claim", ["tenant", "kind", "state", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_job") as batch:
        batch.drop_index("ix_outbox_claim")
        batch.create_index("ix_outbox_tenant_due", ["tenant", "state", "next_attempt_at"])
    op.drop_table("worker_heartbeat")
