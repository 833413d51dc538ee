"""reminders (tracker remind / digest) and parent issues per postmortem (issue 9)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "parent_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("postmortem_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("marker", sa.String(length=100), nullable=False),
        sa.Column("remote_id", sa.String(length=100), nullable=True),
        sa.Column("remote_number", sa.BigInteger(), nullable=True),
        sa.Column("key", sa.String(length=300), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("children", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["postmortem_id"],
            ["postmortems.id"],
            name=op.f("fk_parent_links_postmortem_id_postmortems"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parent_links")),
        sa.UniqueConstraint("postmortem_id", "target", name=op.f("uq_parent_links_postmortem_id_target")),
    )
    with op.batch_alter_table("parent_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_parent_links_postmortem_id"), ["postmortem_id"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("marker", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("issue_key", sa.String(length=300), nullable=True),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("mentioned", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("comment_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["action_items.id"],
            name=op.f("fk_reminders_item_id_action_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], name=op.f("fk_reminders_link_id_links"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("key", name=op.f("uq_reminders_key")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index("ix_reminders_item_kind", ["item_id", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_item_kind")

    op.drop_table("reminders")
    with op.batch_alter_table("parent_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parent_links_postmortem_id"))

    op.drop_table("parent_links")
