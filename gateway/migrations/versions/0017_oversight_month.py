"""oversight trend: the totals of months that have ended, kept once computed

The oversight page's twelve-month trend read a year of oversight rows at every view
(about 1.5 s over a million complaints). A month that has ended is settled; its
totals per tenant, measure and working-day duration are kept in ``oversight_month``
(filled at the first view that needs them, dropped when a late step lands in them).

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
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("followed_up", sa.Integer(), nullable=False),
        sa.Column("finished", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "month", "measure", "days"),
    )


def downgrade() -> None:
    op.drop_table("oversight_month")
