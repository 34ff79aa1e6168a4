"""how each complaint's topic was chosen, and the ones flagged for review

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("category", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("topic_source", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("review_reason", sa.String(length=500), nullable=True))
    op.create_index("ix_complaint_tenant_review", "complaint", ["tenant", "review_reason"])


def downgrade() -> None:
    op.drop_index("ix_complaint_tenant_review", table_name="complaint")
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("review_reason")
        batch.drop_column("topic_source")
        batch.drop_column("category")
