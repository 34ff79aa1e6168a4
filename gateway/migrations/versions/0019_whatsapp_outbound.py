"""whatsapp_message: the WhatsApp messages the gateway sent, and their statuses

The Cloud API reports each message the gateway sent as sent, delivered, read or
failed (with an error code) in later webhook deliveries. ``whatsapp_message`` keeps
the latest per message id; the recipient is the chat's hashed key, never the number.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "whatsapp_message",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=True),
        sa.Column("complaint_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_title", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "message_id"),
    )


def downgrade() -> None:
    op.drop_table("whatsapp_message")
