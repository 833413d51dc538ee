"""report runs and an events index for reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 03:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scope", sa.String(length=300), nullable=False),
        sa.Column("actor_user", sa.String(length=255), nullable=True),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_runs")),
    )
    with op.batch_alter_table("report_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_runs_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("events", schema=None) as batch_op:
        for field in ("status", "deadline"):
            batch_op.create_index(
                f"ix_events_{field}_changes",
                ["item_id", "occurred_at", "id", "old", "new"],
                unique=False,
                sqlite_where=sa.text(f"field = '{field}'"),
                postgresql_where=sa.text(f"field = '{field}'"),
            )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_deadline_changes")
        batch_op.drop_index("ix_events_status_changes")
    with op.batch_alter_table("report_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_runs_created_at"))
    op.drop_table("report_runs")
