"""corrections: a complaint's topic or agency as a person corrected it, kept per tenant

An operator's correction in the console and the national verification's, as the
change feed shows it: the text the classifier read, the labels before and after, who
corrected them and when. The classifier learns from them
(``gateway classifier train --with-corrections``). Nothing to migrate: no correction
was kept before.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "correction",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("complaint_id", sa.String(length=36), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topic_before", sa.Integer(), nullable=True),
        sa.Column("topic_after", sa.Integer(), nullable=True),
        sa.Column("agency_before", sa.String(length=64), nullable=True),
        sa.Column("agency_after", sa.String(length=64), nullable=True),
        sa.Column("topic_source", sa.String(length=16), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("corrected_by", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_correction_tenant_complaint", "correction", ["tenant", "complaint_id"])


def downgrade() -> None:
    op.drop_table("correction")
