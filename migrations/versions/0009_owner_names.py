"""owner names: each owner spelling's person and team, refreshed from the configuration by reports

Revision ID: 0009_owner_names
Revises: 0008_notify
Create Date: 2026-12-06 07:00:00

Filled from the report rows (one attribution per spelling), whose owner and team are then made to
agree with it; the next report re-resolves every spelling against the configuration of the day.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_owner_names"
down_revision = "0008_notify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "owner_names",
        sa.Column("owner_lower", sa.Text(), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=True),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("owner_lower", name=op.f("pk_owner_names")),
    )
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO owner_names (owner_lower, person, team)"
            " SELECT owner_lower, MAX(owner_person), MAX(team) FROM report_rows"
            " WHERE owner_lower IS NOT NULL GROUP BY owner_lower"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE report_rows SET"
            " owner_person = (SELECT o.person FROM owner_names o WHERE o.owner_lower = report_rows.owner_lower),"
            " team = (SELECT o.team FROM owner_names o WHERE o.owner_lower = report_rows.owner_lower)"
            " WHERE owner_lower IS NOT NULL"
        )
    )


def downgrade() -> None:
    op.drop_table("owner_names")
