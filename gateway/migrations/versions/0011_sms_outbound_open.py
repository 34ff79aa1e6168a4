"""SMS replies still waiting for Gammu's outcome, found by an index

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

The Gammu poller looks, every few seconds, for the tenant's replies not yet delivered or
failed (``queued``, ``sent``) to read their outcome from Gammu's ``sentitems``.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_sms_outbound_open", "sms_outbound", ["tenant", "transport", "status"])


def downgrade() -> None:
    op.drop_index("ix_sms_outbound_open", table_name="sms_outbound")
