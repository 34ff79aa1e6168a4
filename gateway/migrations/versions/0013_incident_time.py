"""the incident's time: complaint.incident_at, its moment in UTC when the time is known

Existing complaints keep their ``incident_date`` and get no ``incident_at``: until
now no channel kept an incident's time of day (a ``21/03/2026 14.05`` kept only its
date), so there is no time to migrate, and inventing midnight would state a time
nobody gave.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("incident_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("incident_at")
