"""SMS replies: how often queued, and an index to those still waiting for Gammu

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

The Gammu poller looks, every few seconds, for the tenant's replies not yet delivered or
failed (``queued``, ``sent``) to read their outcome from Gammu's ``sentitems``; a reply
Gammu could not send is queued again, ``attempts`` counting how often.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sms_outbound") as batch:
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
    op.create_index("ix_sms_outbound_open", "sms_outbound", ["tenant", "transport", "status"])


def downgrade() -> None:
    op.drop_index("ix_sms_outbound_open", table_name="sms_outbound")
    with op.batch_alter_table("sms_outbound") as batch:
        batch.drop_column("attempts")
