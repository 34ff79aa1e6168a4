"""oversight figures: one pre-aggregated row per complaint

The oversight page (issue 20) counts each step of the national workflow by the day it
first happened, per tenant, agency, channel and topic, with working-day durations and
SLA dates. ``oversight_fact`` keeps one row per complaint with those days, written with
the complaint and moved on in the same transaction as each status event. Complaints
stored before this revision have no row: ``gateway oversight rebuild`` computes every
row from the status history (run it once after upgrading).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STEPS = ("verified", "dispatched", "followed_up", "finished", "archived")
INDEXED = ("received", *STEPS)
DUES = ("verify", "follow_up", "finish")


def upgrade() -> None:
    op.create_table(
        "oversight_fact",
        sa.Column("complaint_id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("received_day", sa.Date(), nullable=False),
        sa.Column("received_agency", sa.String(length=64), nullable=True),
        sa.Column("submitted_day", sa.Date(), nullable=True),
        *(
            column
            for step in STEPS
            for column in (
                sa.Column(f"{step}_day", sa.Date(), nullable=True),
                sa.Column(f"{step}_agency", sa.String(length=64), nullable=True),
            )
        ),
        sa.Column("days_to_verify", sa.Integer(), nullable=True),
        sa.Column("days_to_follow_up", sa.Integer(), nullable=True),
        sa.Column("days_to_finish", sa.Integer(), nullable=True),
        *(
            column
            for due in DUES
            for column in (
                sa.Column(f"{due}_due", sa.Date(), nullable=True),
                sa.Column(f"{due}_done", sa.Date(), nullable=True),
            )
        ),
        sa.PrimaryKeyConstraint("complaint_id"),
    )
    for step in INDEXED:
        op.create_index(f"ix_oversight_{step}", "oversight_fact", ["tenant", f"{step}_day"])
    for due in DUES:
        op.create_index(f"ix_oversight_{due}_due", "oversight_fact", ["tenant", f"{due}_due"])


def downgrade() -> None:
    op.drop_table("oversight_fact")
