"""The report's speed-ups change no answer: bucketing, local-day arithmetic, the recurrence prefilter, owner index."""

from __future__ import annotations

import bisect
import json
import sqlite3
import statistics
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session
from test_report_data import CONFIG, build

from tracker.models import Postmortem
from tracker.recurrence import EXTRA_KEY
from tracker.report.sqlbits import Dialect, _Median, bucket, offset_spans
from tracker.states_session import maintain


@pytest.mark.parametrize("count", [0, 1, 2, 3, 12, 13, 24, 25])
def test_bucket_counts_the_bounds_at_or_before_the_value(count):
    bounds = [2 * i + 1 for i in range(count)]
    expression = bucket("v", [str(b) for b in bounds])
    connection = sqlite3.connect(":memory:")
    for value in range(-1, 2 * count + 3):
        got = connection.execute(f"SELECT {expression} FROM (SELECT ? AS v)", (value,)).fetchone()[0]
        assert got == bisect.bisect_right(bounds, value)
    connection.close()


def _set_extra(db_url: str, slug: str, extra: dict) -> None:
    engine = create_engine(db_url)
    with maintain(Session(engine)) as session:
        postmortem = session.scalar(select(Postmortem).where(Postmortem.slug == slug))
        assert postmortem is not None
        postmortem.extra = extra
        session.commit()
    engine.dispose()


def test_recurrence_lists_stored_matches_only_in_scope(make_config, run_cli, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")  # creates the schema
    build(db_url)
    match = {
        "item_id": 1,
        "postmortem": "inc-1",
        "title": "Add an index",
        "owner": "@dana",
        "team": "payments",
        "deadline": "2026-02-01",
        "score": 0.9,
        "why": "same service",
    }
    _set_extra(db_url, "inc-2", {"customer": "acme", EXTRA_KEY: [match]})
    _set_extra(db_url, "inc-1", {"note": "mentions recurrence in passing"})
    found = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)["recurrence"]
    assert [(r["incident"], r["item_id"], r["postmortem"]) for r in found] == [("inc-2", 1, "inc-1")]
    assert found[0]["sentence"].startswith("inc-1's item 'Add an index' (team payments, due")
    scoped = json.loads(run_cli.ok("report", "--no-save", "--postmortem", "inc-1", "--format", "json").stdout)
    assert scoped["recurrence"] == []


def test_owner_lookups_have_an_index(make_config, run_cli, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")  # creates the schema
    build(db_url)
    engine = create_engine(db_url)
    try:
        indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("item_states")}
    finally:
        engine.dispose()
    assert indexes["ix_item_states_owner_person"] == ["owner_person"]


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
)
def test_local_day_arithmetic_matches_the_time_zone_database(zone):
    """The integer local day of a microsecond timestamp (report rows) equals zoneinfo's, DST included."""
    dialect = Dialect("sqlite", ZoneInfo(zone))
    low, high = datetime(2024, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    expression = dialect.local_day("v", low, high)
    connection = sqlite3.connect(":memory:")
    moments = [low + timedelta(hours=7 * i, minutes=13 * i) for i in range(3500)]
    # Around each offset change: a minute before and at it, where a wrong branch shows.
    for until, _offset in offset_spans(ZoneInfo(zone), low, high)[:-1]:
        moments += [until - timedelta(minutes=1), until, until + timedelta(microseconds=1)]
    for moment in moments:
        got = connection.execute(f"SELECT {expression} FROM (SELECT ? AS v)", (dialect.micros(moment),))
        assert got.fetchone()[0] == dialect.day_number(moment.astimezone(ZoneInfo(zone)).date()), moment
    connection.close()


@pytest.mark.parametrize("values", [[], [None], [3.0], [3.0, None, 1.0], [4.0, 1.0, 2.0, 10.0], [2.5] * 7])
def test_sqlite_median_aggregate_skips_nulls_with_or_without_filter(values):
    connection = sqlite3.connect(":memory:")
    connection.create_aggregate("tracker_median", 1, _Median)
    connection.execute("CREATE TABLE t (v REAL)")
    connection.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    present = [v for v in values if v is not None]
    expected = statistics.median(present) if present else None
    assert connection.execute("SELECT tracker_median(v) FROM t").fetchone()[0] == expected
    filtered = connection.execute("SELECT tracker_median(v) FILTER (WHERE v IS NOT NULL) FROM t").fetchone()[
        0
    ]
    assert filtered == expected
    connection.close()


def test_a_plain_report_loads_neither_lint_nor_the_html_renderer(tmp_path):
    """Start-up is most of a report's time: modules it does not use stay unloaded."""
    config = tmp_path / "tracker.toml"
    config.write_text(f'[database]\npath = "{tmp_path / "t.db"}"\n', encoding="utf-8")
    program = (
        "import sys\n"
        "from tracker.cli import main\n"
        f"sys.argv = ['tracker', '--config', {str(config)!r}, 'db', 'upgrade']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"sys.argv = ['tracker', '--config', {str(config)!r}, 'report', '--no-save']\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('tracker.lint', 'tracker.report.render_html')))\n"
        "print('LOADED', loaded, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stderr, result.stderr
