"""The manager's overdue list: what the items say, in deadline order, read from the open rows' index (0012)."""

from __future__ import annotations

import json
import re

import pytest
from test_report_data import CONFIG

from tracker.app import AppContext
from tracker.config import load_config
from tracker.report.build import Options, build_report


def _add(run_cli, title: str, deadline: str | None) -> int:
    out = run_cli.ok(
        "add", title, "-p", "inc-1", "-o", "@sam", *(["-d", deadline] if deadline else [])
    ).stdout
    found = re.search(r"added item (\d+)", out)
    assert found, out
    return int(found.group(1))


def _items(run_cli) -> dict[str, int]:
    """Items to do with deadlines in the past (two on one day), done, dropped, undated and future ones."""
    ids = {
        title: _add(run_cli, title, deadline)
        for title, deadline in (
            ("late b", "2020-03-01"),
            ("late a", "2020-03-01"),
            ("later", "2021-06-01"),
            ("earliest, done", "2019-12-31"),
            ("dropped", "2019-11-01"),
            ("no date", None),
            ("future", "2099-01-01"),
        )
    }
    run_cli.ok("edit", str(ids["later"]), "--status", "in_progress")
    run_cli.ok("done", str(ids["earliest, done"]))
    run_cli.ok("edit", str(ids["dropped"]), "--status", "wont_do")
    return ids


def test_overdue_items_in_deadline_then_item_order(make_config, run_cli):
    make_config(CONFIG)
    ids = _items(run_cli)
    report = json.loads(run_cli.ok("report", "--no-save", "--format", "json").stdout)
    overdue = report["manager"]["overdue"]
    # Same deadline: the item added first (lower id) comes first; done, dropped, undated and future
    # items are not overdue.
    assert [(e["title"], e["deadline"]) for e in overdue] == [
        ("late b", "2020-03-01"),
        ("late a", "2020-03-01"),
        ("later", "2021-06-01"),
    ]
    assert [e["id"] for e in overdue] == [ids["late b"], ids["late a"], ids["later"]]
    assert report["summary"]["overdue"] == 3
    assert overdue[0]["days_overdue"] > overdue[2]["days_overdue"] > 0


def test_the_ranking_reads_the_open_rows_index_without_a_sort(make_config, run_cli, db_url):
    """On SQLite the ranking is a read of the partial index in (deadline, item) order that stops after
    LIST_CAP entries: no temporary B-tree, no read of the table's rows (EXPLAIN QUERY PLAN)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL plans by its statistics: a table this small is read whole, as it should be")
    path = make_config(CONFIG)
    _items(run_cli)
    app = AppContext(config=load_config(str(path)))
    statements: list[str] = []
    try:
        with app.connection() as connection:
            connection.raw.set_trace_callback(statements.append)  # type: ignore[attr-defined]
            build_report(app, connection, Options(save=False))
            connection.raw.set_trace_callback(None)  # type: ignore[attr-defined]
            ranking = [s for s in statements if "ORDER BY r.deadline, r.item_id LIMIT" in s]
            assert len(ranking) == 1
            inner = ranking[0].split("FROM (", 1)[1].split(") top", 1)[0]
            plan = [row[3] for row in connection.raw.execute(f"EXPLAIN QUERY PLAN {inner}")]  # type: ignore[attr-defined]
    finally:
        app.close()
    assert plan == ["SEARCH r USING COVERING INDEX ix_report_rows_open_deadline (deadline<?)"], plan
