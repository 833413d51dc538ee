"""item states: index on the owner, for `tracker report --owner`

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 05:05:00

`--owner` picks one person's stretches (figures and trend); without an index it scanned every
stretch. Creating the index is the whole backfill (plain SQL index, SQLite and PostgreSQL).
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item_states", schema=None) as batch_op:
        batch_op.create_index("ix_item_states_owner_person", ["owner_person"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item_states", schema=None) as batch_op:
        batch_op.drop_index("ix_item_states_owner_person")
