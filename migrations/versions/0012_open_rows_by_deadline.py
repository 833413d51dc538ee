"""open rows by deadline: the manager's overdue list reads 500 index entries, not every open row

Revision ID: 0012_open_rows_by_deadline
Revises: 0011_exact_row_times
Create Date: 2026-12-06 17:00:00

The organisation-wide report lists the most overdue items still to do (`tracker/report/manager.py`,
capped at 500). Without an index in deadline order it read every report row still to do and sorted
them (about 40 ms of 100,000 items on SQLite); this partial index holds the open stretches
(`kind < 2`) with a deadline in (deadline, item) order, with the columns the ranking tests, so the
list stops after its 500 entries. Creating the index is the whole backfill.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_open_rows_by_deadline"
down_revision = "0011_exact_row_times"
branch_labels = None
depends_on = None

OPEN_WITH_DEADLINE = "kind < 2 AND deadline IS NOT NULL"  # tracker/models.py's _OPEN_WITH_DEADLINE


def upgrade() -> None:
    where = {"sqlite_where": sa.text(OPEN_WITH_DEADLINE), "postgresql_where": sa.text(OPEN_WITH_DEADLINE)}
    with op.batch_alter_table("report_rows", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_rows_open_deadline",
            ["deadline", "item_id", "valid_from", "valid_to", "kind"],
            unique=False,
            **where,
        )
    if op.get_bind().dialect.name == "sqlite":
        # Statistics for the new index, as 0007 gathered them for the others: without them SQLite
        # guesses its size when it weighs it against the owner and done-row indexes.
        op.execute("ANALYZE ix_report_rows_open_deadline")


def downgrade() -> None:
    with op.batch_alter_table("report_rows", schema=None) as batch_op:
        batch_op.drop_index("ix_report_rows_open_deadline")
