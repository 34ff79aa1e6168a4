"""messages to citizens in order: an index on each job's queue (complaint or chat)

A notify job waits for the earlier notify jobs of its complaint, a reply job for the
earlier reply jobs of its chat (its ``complaint_id`` names the chat): the claim asks
whether an unfinished job is ahead in the queue, which this index answers without
reading the queue's finished jobs.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_job") as batch:
        batch.create_index("ix_outbox_order", ["complaint_id", "kind", "tenant", "state"])


def downgrade() -> None:
    with op.batch_alter_table("outbox_job") as batch:
        batch.drop_index("ix_outbox_order")
