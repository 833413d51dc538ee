"""Stored trend points: reused, deleted when the past they count changes, never stored when unwritable."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from ops_support import read_only_role
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from test_report_data import CONFIG, _change, build, months_since_january_2026

from tracker.db import make_engine
from tracker.models import ActionItem, TrendPoint
from tracker.states import first_difference
from tracker.states_session import maintain

KEYS = ("total", "open", "in_progress", "done", "wont_do", "closed_by_bot", "overdue", "completion_rate")
MONTHS = months_since_january_2026(date.today())


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests check the trend cache, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


@pytest.fixture
def data(make_config, db_url, run_cli):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")  # creates the database
    return build(db_url)


def trend(run_cli) -> dict[str, dict]:
    out = json.loads(run_cli.ok("report", "--format", "json", "--no-save", "--months", str(MONTHS)).stdout)
    return {point["month"]: point for point in out["trend"]}


def as_of(run_cli, day: str) -> dict:
    out = run_cli.ok("report", "--format", "json", "--no-save", "--as-of", day, "--months", "0").stdout
    return json.loads(out)["summary"]


def stored(db_url: str) -> int:
    engine = create_engine(db_url)
    with maintain(Session(engine)) as session:
        count = session.scalar(select(func.count()).select_from(TrendPoint))
    engine.dispose()
    return int(count or 0)


def execute(db_url: str, sql: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text(sql))
    engine.dispose()


def test_past_month_ends_are_stored_once_and_reused(run_cli, db_url, data):
    first = trend(run_cli)
    assert stored(db_url) == MONTHS - 1  # every month end but the report's own point
    # Reused: a stored value (tampered with here) is what the next report shows.
    february = (date(2026, 2, 28) - date(1970, 1, 1)).days
    execute(db_url, f"UPDATE trend_points SET done = done + 100 WHERE day = {february}")
    second = trend(run_cli)
    assert second["2026-02"]["done"] == first["2026-02"]["done"] + 100
    assert {m: p for m, p in second.items() if m != "2026-02"} == {
        m: p for m, p in first.items() if m != "2026-02"
    }
    assert second == trend(run_cli)


def test_a_late_change_to_the_past_deletes_the_points_after_it(run_cli, db_url, data):
    before = trend(run_cli)
    execute(db_url, "UPDATE trend_points SET open = open + 100")  # poison every stored point
    engine = create_engine(db_url)
    with maintain(Session(engine)) as session:
        b = session.get(ActionItem, data["B"])  # open, no deadline; now done since 2026-02-10
        _change(session, b, "status", "done", "2026-02-10T12:00:00", source="github")
        session.commit()
    engine.dispose()
    after = trend(run_cli)
    assert after["2026-01"]["open"] == before["2026-01"]["open"] + 100  # before the change: kept
    assert after["2026-02"]["done"] == before["2026-02"]["done"] + 1  # after it: counted afresh
    for month, day in (("2026-02", "2026-02-28"), ("2026-03", "2026-03-31")):
        summary = as_of(run_cli, day)
        assert {k: after[month][k] for k in KEYS} == {k: summary[k] for k in KEYS}, month


def test_a_change_made_now_keeps_the_stored_past(run_cli, db_url, data):
    trend(run_cli)
    execute(db_url, "UPDATE trend_points SET open = open + 100")
    run_cli.ok("done", str(data["G"]))
    after = trend(run_cli)
    assert after["2026-03"]["open"] >= 100  # still the stored (poisoned) value: nothing recounted
    assert stored(db_url) == MONTHS - 1


def test_an_unwritable_sqlite_database_still_reports_its_trend(run_cli, make_config, db_url, data, tmp_path):
    if not db_url.startswith("sqlite"):
        pytest.skip("a read-only SQLite open; the PostgreSQL case is the read-only role test")
    expected = trend(run_cli)
    execute(db_url, "DELETE FROM trend_points")
    path = db_url.removeprefix("sqlite:///")
    make_config(
        CONFIG.replace("[org]", f'[database]\nurl = "sqlite:///file:{path}?mode=ro&uri=true"\n\n[org]', 1)
    )
    assert trend(run_cli) == expected
    assert stored(db_url) == 0


def test_a_read_only_postgresql_role_still_reports_its_trend(run_cli, make_config, postgres_url):
    make_config(CONFIG.replace("[org]", f'[database]\nurl = "{postgres_url}"\n\n[org]', 1))
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    build(postgres_url)
    expected = trend(run_cli)
    execute(postgres_url, "DELETE FROM trend_points")
    with read_only_role(postgres_url, prefix="rr") as reader:
        make_config(CONFIG.replace("[org]", f'[database]\nurl = "{reader}"\n\n[org]', 1))
        assert trend(run_cli) == expected
        assert stored(postgres_url) == 0


# first_difference: the instant after which an item's (kind, deadline) first differs ---------------


def test_first_difference():
    open_now = [(10, None, 0, 5)]
    assert first_difference(open_now, open_now) is None
    assert first_difference(open_now, [(10, 20, 0, 5), (20, None, 0, 5)]) is None  # split, same values
    assert first_difference(open_now, [(10, 20, 0, 5), (20, None, 2, 5)]) == 20  # done at 20
    assert first_difference(open_now, [(10, 20, 0, 5), (20, None, 0, 9)]) == 20  # deadline moved at 20
    assert first_difference(open_now, [(10, 15, 1, 5), (15, None, 0, 5)]) == 10  # history rewritten
    assert first_difference([], open_now) == 10  # a new item
    assert first_difference(open_now, [(10, 30, 0, 5)]) == 30  # removed at 30
    assert first_difference(open_now, [(4, None, 0, 5)]) == 4  # created earlier than thought


def test_a_report_during_an_uncommitted_change_stores_nothing_that_outlives_it(
    run_cli, make_config, db_url, data
):
    """The race the locks close: counted before a late change commits, never kept after it."""
    database = f'[database]\nurl = "{db_url}"\nbusy_timeout_ms = 300\n\n'
    make_config(CONFIG.replace("[org]", database + "[org]", 1))
    before = trend(run_cli)
    execute(db_url, "DELETE FROM trend_points")
    engine = make_engine(db_url)
    writer = maintain(Session(engine))
    try:
        b = writer.get(ActionItem, data["B"])
        _change(writer, b, "status", "done", "2026-02-10T12:00:00", source="github")
        writer.flush()
        during = trend(run_cli)  # SQLite: the writer holds the write lock, nothing is stored
        assert during == before  # the committed past
        writer.commit()  # its rebuild deletes what a report stored meanwhile after 2026-02-10
    finally:
        writer.close()
        engine.dispose()
    change = (datetime(2026, 2, 10, 12, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )
    with make_engine(db_url).connect() as connection:
        stale = connection.execute(text(f"SELECT COUNT(*) FROM trend_points WHERE cut > {change}")).scalar()
    assert stale == 0
    after = trend(run_cli)
    assert after["2026-02"]["done"] == before["2026-02"]["done"] + 1
    for month, day in (("2026-02", "2026-02-28"), ("2026-03", "2026-03-31")):
        summary = as_of(run_cli, day)
        assert {k: after[month][k] for k in KEYS} == {k: summary[k] for k in KEYS}, month
    assert stored(db_url) == MONTHS - 1
