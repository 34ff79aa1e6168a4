"""web-form pulls that cannot skip: the highest key read, and the keys below it awaited

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("pull_cursor") as batch:
        batch.add_column(sa.Column("high_key", sa.String(length=200), nullable=True))
    op.create_table(
        "pull_gap",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("missed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "channel", "key"),
    )


def downgrade() -> None:
    op.drop_table("pull_gap")
    with op.batch_alter_table("pull_cursor") as batch:
        batch.drop_column("high_key")
