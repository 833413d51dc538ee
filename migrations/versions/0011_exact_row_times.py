"""exact row times: report rows on SQLite no longer read a time in its last half-millisecond a second late

Revision ID: 0011_exact_row_times
Revises: 0010_document_dates
Create Date: 2026-12-06 12:40:00

Report rows hold times as microseconds since 1970. On SQLite they were computed as
`strftime('%s', t) * 1000000 + <the six fraction digits of t>`; SQLite reads a time to the
millisecond, so `strftime('%s', ...)` of a time whose fraction is .9995 s or more rounds up to the
next second, and the row came out exactly one second (1,000,000 us) late. A report run within that
second then missed the item's latest state. tracker/states.py now reads the whole seconds without
the fraction. Every such row written before was off by exactly one second and can be told by its
value alone (its microsecond part is 999,500 or more), so this subtracts the second from those
(valid_from, valid_to, done_at). PostgreSQL's EXTRACT was exact: nothing changes there. The stored
month-end counts (`trend_points`, a cache the next report refills) are dropped on SQLite, as they
were counted from the late rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_exact_row_times"
down_revision = "0010_document_dates"
branch_labels = None
depends_on = None

SECOND = 1_000_000
LATE_FROM = 999_500  # the microsecond part from which SQLite's millisecond reading rounded up


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for column in ("valid_from", "valid_to", "done_at"):
        bind.execute(
            sa.text(
                f"UPDATE report_rows SET {column} = {column} - {SECOND}"
                f" WHERE {column} IS NOT NULL AND {column} % {SECOND} >= {LATE_FROM}"
            )
        )
    bind.execute(sa.text("DELETE FROM trend_points"))


def downgrade() -> None:
    """Nothing to undo: the exact times are what the earlier code meant to store."""
