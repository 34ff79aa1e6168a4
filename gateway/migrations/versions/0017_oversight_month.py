"""oversight months: the figures of months that have ended, kept once computed

The oversight page read a year of oversight rows at every view (over 3 s for a year
over a million complaints). A month that has ended is settled; its figures per
tenant, measure, breakdown and working-day duration are kept in ``oversight_month``
(filled at the first view that needs them, dropped when a late step lands in them),
and a quarter or a year is summed from its months. ``oversight_month_state`` holds
each month's version, raised by every late step, so that figures read before a late
step are never kept after it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oversight_month",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "month", "measure", "kind", "key", "days"),
    )
    op.create_table(
        "oversight_month_state",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kept", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "month"),
    )


def downgrade() -> None:
    op.drop_table("oversight_month_state")
    op.drop_table("oversight_month")
