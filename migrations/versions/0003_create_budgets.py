"""a create budget per credential shared by every host

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 04:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "create_budgets",
        sa.Column("credential", sa.String(length=64), nullable=False),
        sa.Column("stamps", sa.JSON(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("credential", name=op.f("pk_create_budgets")),
    )


def downgrade() -> None:
    op.drop_table("create_budgets")
