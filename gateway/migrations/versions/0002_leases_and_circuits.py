"""singleton leases and per-tenant circuit state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "singleton_lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "tenant_circuit",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant"),
    )
    # the oldest unsent complaint per tenant, for `gateway status` and /metrics
    with op.batch_alter_table("complaint") as batch:
        batch.create_index("ix_complaint_status_created", ["status", "created_at"])
    # per-tenant claims (fairness) must not scan other tenants' backlogs
    with op.batch_alter_table("outbox_job") as batch:
        batch.create_index("ix_outbox_tenant_due", ["tenant", "state", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_job") as batch:
        batch.drop_index("ix_outbox_tenant_due")
    with op.batch_alter_table("complaint") as batch:
        batch.drop_index("ix_complaint_status_created")
    op.drop_table("tenant_circuit")
    op.drop_table("singleton_lease")
