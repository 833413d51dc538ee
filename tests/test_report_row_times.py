"""Report rows hold exact microsecond times, also in a second's last half-millisecond (migration 0011).

SQLite reads a time to the millisecond: converting a whole stored time rounded .9995 s and more up
to the next second, so an item changed in that half-millisecond was one second late in the report
rows, and a report run within that second missed its latest state (an intermittent test failure).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

from tracker.db import downgrade, make_engine, upgrade
from tracker.history import Actor, record
from tracker.models import ActionItem, Postmortem
from tracker.states_session import maintain

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ACTOR = Actor(user="test", host="test")
# Fractions on both sides of the half-millisecond that SQLite rounded up, and the edges.
FRACTIONS = (0, 499_999, 999_499, 999_500, 999_700, 999_999)


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _fill(engine) -> dict[int, tuple[datetime, datetime]]:
    """One item per fraction, created and closed at times with that fraction: {item id: (created, done)}."""
    times: dict[int, tuple[datetime, datetime]] = {}
    with maintain(Session(engine)) as session:
        postmortem = Postmortem(slug="inc-1", title="Outage", services=[], extra={})
        session.add(postmortem)
        session.flush()
        for position, fraction in enumerate(FRACTIONS):
            created = datetime(2026, 3, 1, 10, 0, position, fraction, tzinfo=UTC)
            done = created + timedelta(days=2)
            item = ActionItem(
                postmortem=postmortem,
                fingerprint=f"fp-{position}",
                position=position,
                title=f"Item {position}",
                status="done",
                created_at=created,
                updated_at=done,
                done_at=done,
            )
            session.add(item)
            session.flush()
            record(session, item, "status", "open", "done", source="manual", actor=ACTOR, occurred_at=done)
            times[item.id] = (created, done)
        session.commit()
    return times


def _row_times(engine) -> dict[int, list[tuple[int, int | None, int | None]]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT item_id, valid_from, valid_to, done_at FROM report_rows ORDER BY item_id, valid_from"
            )
        )
        found: dict[int, list[tuple[int, int | None, int | None]]] = {}
        for item_id, valid_from, valid_to, done_at in rows:
            found.setdefault(item_id, []).append((valid_from, valid_to, done_at))
    return found


def _expected(
    times: dict[int, tuple[datetime, datetime]],
) -> dict[int, list[tuple[int, int | None, int | None]]]:
    # Open from creation to the close, then done from the close on.
    return {
        item_id: [(micros(created), micros(done), None), (micros(done), None, micros(done))]
        for item_id, (created, done) in times.items()
    }


def test_report_rows_hold_exact_times_in_every_fraction_of_a_second(db_url):
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        times = _fill(engine)
        assert _row_times(engine) == _expected(times)
    finally:
        engine.dispose()


def test_migration_mends_rows_written_a_second_late(db_url):
    """Rows as the old SQLite conversion wrote them come back exact; PostgreSQL's were exact already."""
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        times = _fill(engine)
        downgrade(engine, "0010_document_dates")
        sqlite = engine.dialect.name == "sqlite"
        with engine.begin() as connection:
            if sqlite:  # what the old conversion stored: a second late from .9995 s on
                for column in ("valid_from", "valid_to", "done_at"):
                    connection.execute(
                        text(
                            f"UPDATE report_rows SET {column} = {column} + 1000000"
                            f" WHERE {column} % 1000000 >= 999500"
                        )
                    )
            connection.execute(
                text(
                    "INSERT INTO trend_points (zone, cut, day, open, in_progress, done, wont_do, bot, overdue)"
                    " VALUES ('UTC', 1, 0, 0, 0, 0, 0, 0, 0)"
                )
            )
        upgrade(engine)
        assert _row_times(engine) == _expected(times)
        with engine.connect() as connection:
            points = connection.execute(text("SELECT COUNT(*) FROM trend_points")).scalar_one()
        assert points == (0 if sqlite else 1)  # counted from late rows on SQLite only
    finally:
        engine.dispose()
