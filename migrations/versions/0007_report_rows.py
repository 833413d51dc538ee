"""report rows and trend points: the item stretches in narrow integer form, and past month ends' counts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 07:10:00

The backfill copies every row of `item_states` in one INSERT ... SELECT (SQLite and PostgreSQL); the
trend points start empty (reports fill them). The backfill is a frozen copy of
`tracker.states.rows_sql` as of this revision, so later changes to the application cannot change
what this migration does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DONE_ROWS = "kind = 2 AND days_to_done IS NOT NULL"


def backfill_sql(dialect: str) -> str:
    if dialect == "sqlite":

        def micros(column: str) -> str:
            return (
                f"(CAST(strftime('%s', {column}) AS INTEGER) * 1000000"
                f" + CAST(substr({column}, 21, 6) AS INTEGER))"
            )

        def day(column: str) -> str:
            return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"

        joined = "',' || group_concat(target, ',') || ','"
    else:

        def micros(column: str) -> str:
            return f"CAST(EXTRACT(EPOCH FROM {column}) * 1000000 AS BIGINT)"

        def day(column: str) -> str:
            return (
                f"CASE WHEN {column} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'"
                f" THEN CAST({column} AS DATE) - DATE '1970-01-01' END"
            )

        joined = "',' || string_agg(target, ',' ORDER BY target) || ','"
    return f"""
INSERT INTO report_rows (postmortem_id, item_id, valid_from, valid_to, kind, deadline, first_deadline,
  done_at, days_to_done, slips, slip_days, team, targets, severity, owner_person, owner_lower)
SELECT st.postmortem_id, st.item_id, {micros("st.valid_from")}, {micros("st.valid_to")},
  CASE st.kind WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'done' THEN 2 WHEN 'wont_do' THEN 3
    WHEN 'bot' THEN 4 END,
  {day("st.deadline")}, {day("st.first_deadline")}, {micros("st.done_at")},
  st.days_to_done, st.slips, st.slip_days, st.owner_team, tg.targets, p.severity, st.owner_person,
  LOWER(st.owner_text)
FROM item_states st
JOIN postmortems p ON p.id = st.postmortem_id
LEFT JOIN (
  SELECT item_id, {joined} AS targets
  FROM (SELECT item_id, target FROM links ORDER BY item_id, target) ordered
  GROUP BY item_id
) tg ON tg.item_id = st.item_id"""


def upgrade() -> None:
    op.create_table(
        "report_rows",
        sa.Column("postmortem_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("item_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("valid_from", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("valid_to", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("deadline", sa.Integer(), nullable=True),
        sa.Column("first_deadline", sa.Integer(), nullable=True),
        sa.Column("done_at", sa.BigInteger(), nullable=True),
        sa.Column("days_to_done", sa.Float(), nullable=True),
        sa.Column("slips", sa.Integer(), nullable=False),
        sa.Column("slip_days", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("targets", sa.Text(), nullable=True),
        sa.Column("severity", sa.String(length=50), nullable=True),
        sa.Column("owner_person", sa.String(length=200), nullable=True),
        sa.Column("owner_lower", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_items.id"],
            name=op.f("fk_report_rows_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("postmortem_id", "item_id", "valid_from", name=op.f("pk_report_rows")),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    # Fill before indexing: one sorted build per index instead of maintaining five on every insert.
    bind.execute(sa.text(backfill_sql(bind.dialect.name)))
    done = {"sqlite_where": sa.text(DONE_ROWS), "postgresql_where": sa.text(DONE_ROWS)}
    with op.batch_alter_table("report_rows", schema=None) as batch_op:
        batch_op.create_index("ix_report_rows_item_id", ["item_id"], unique=False)
        batch_op.create_index(
            "ix_report_rows_cells",
            ["team", "targets", "valid_from", "valid_to", "kind", "deadline", "first_deadline",
             "done_at", "slips", "slip_days"],
            unique=False,
        )  # fmt: skip
        batch_op.create_index(
            "ix_report_rows_done_team",
            ["team", "days_to_done", "valid_from", "valid_to", "kind"],
            unique=False,
            **done,
        )
        batch_op.create_index(
            "ix_report_rows_done",
            ["days_to_done", "valid_from", "valid_to", "kind", "targets"],
            unique=False,
            **done,
        )
        batch_op.create_index(
            "ix_report_rows_done_severity",
            ["severity", "days_to_done", "valid_from", "valid_to", "kind"],
            unique=False,
            **done,
        )
        batch_op.create_index("ix_report_rows_owner_person", ["owner_person"], unique=False)
        batch_op.create_index("ix_report_rows_owner_lower", ["owner_lower"], unique=False)
    op.create_table(
        "trend_points",
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("cut", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.Column("in_progress", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("wont_do", sa.Integer(), nullable=False),
        sa.Column("bot", sa.Integer(), nullable=False),
        sa.Column("overdue", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("zone", "cut", name=op.f("pk_trend_points")),
    )
    with op.batch_alter_table("trend_points", schema=None) as batch_op:
        batch_op.create_index("ix_trend_points_cut", ["cut"], unique=False)
    # Planner statistics now, so the first report after upgrading picks the covering indexes.
    bind.execute(sa.text("ANALYZE report_rows"))


def downgrade() -> None:
    op.drop_table("trend_points")
    op.drop_table("report_rows")
