"""status history: the agency the complaint had at each event

The oversight rows (revision 0016) count each step under the agency the complaint had
when the step was recorded, but ``gateway oversight rebuild`` recomputed them from the
status history, which did not say which agency that was: a complaint moved from one
agency to another after its first disposition counted that disposition under the
second once rebuilt. ``status_event.agency_code`` keeps the complaint's agency once
the event was applied ('' when it had none). Events recorded before this revision
keep NULL: nobody knows their agency, and a rebuild counts them under the complaint's
current one, as before. Adding a nullable column without a default rewrites no rows.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("status_event") as batch:
        batch.add_column(sa.Column("agency_code", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_event") as batch:
        batch.drop_column("agency_code")
