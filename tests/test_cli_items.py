"""Manual item management through the real CLI: add, list, show, edit, done, reopen."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from tracker.models import ActionItem, Event

PEOPLE = """
[people."dana"]
name = "Dana Whitfield"
github = "dana-w"
email = "dana@corp.example"
aliases = ["Dana W."]
team = "platform"

[teams.platform]
members = ["dana"]
default_assignee = "dana"
aliases = ["@platform-eng"]
"""


@pytest.fixture
def db_url(migrated_db_url: str) -> str:
    """These tests check item commands, not how a database is first made: start at head (conftest.migrated_db_url)."""
    return migrated_db_url


def test_add_list_show_round_trip(run_cli, make_config):
    make_config(PEOPLE)
    run_cli.ok(
        "add",
        "Add index on orders.customer_id",
        "-p",
        "inc-214",
        "-o",
        "@Dana",
        "-d",
        "Jun 25",
        "--incident-date",
        "2026-06-19",
    )
    run_cli.ok("add", "Add slow-query alerting", "-p", "inc-214", "-o", "@platform-eng", "-d", "TBD")
    rows = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert [r["title"] for r in rows] == ["Add index on orders.customer_id", "Add slow-query alerting"]
    first, second = rows
    assert first["postmortem"] == "inc-214"
    assert first["owner"] == "@Dana" and first["owner_person"] == "dana"
    assert first["deadline"] == "2026-06-25" and first["deadline_text"] == "Jun 25"
    assert first["status"] == "open" and first["links"] == []
    assert second["owner_person"] is None and second["owner_kind"] == "team"
    assert second["deadline"] is None and second["deadline_text"] == "TBD"
    shown = json.loads(run_cli.ok("show", str(first["id"]), "--format", "json").stdout)
    assert {e["field"] for e in shown["events"]} >= {"created", "owner_text", "owner_person", "deadline"}


def test_year_less_deadline_resolves_after_incident_date(run_cli):
    run_cli.ok("add", "Rotate keys", "-p", "inc-1", "-d", "Jan 10", "--incident-date", "2026-12-20")
    [row] = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert row["deadline"] == "2027-01-10"


def test_filters(run_cli, make_config):
    make_config(PEOPLE)
    run_cli.ok("add", "A", "-p", "one", "-o", "dana@corp.example", "-d", "2020-01-01")
    run_cli.ok("add", "B", "-p", "one", "-o", "someone", "-d", "2999-01-01")
    run_cli.ok("add", "C", "-p", "two", "-s", "done", "-d", "2020-01-01")
    listing = lambda *a: [r["title"] for r in json.loads(run_cli.ok("list", "--format", "json", *a).stdout)]  # noqa: E731
    assert listing("--postmortem", "one") == ["A", "B"]
    assert listing("--overdue") == ["A"]
    assert listing("--status", "done") == ["C"]
    assert listing("--owner", "Dana Whitfield") == ["A"]
    assert listing("--owner", "someone") == ["B"]


def test_done_reopen_edit_write_events(run_cli, db_url):
    run_cli.ok("add", "Add alert", "-p", "inc-9")
    run_cli.ok("done", "1")
    run_cli.ok("reopen", "1")
    run_cli.ok(
        "edit", "1", "--title", "Add p95 latency alert", "--owner", "@alex", "--deadline", "2026-09-01"
    )
    engine = create_engine(db_url)
    with engine.connect() as connection:
        fields = [row.field for row in connection.execute(select(Event).order_by(Event.id))]
        item = connection.execute(select(ActionItem)).one()
    engine.dispose()
    assert fields.count("status") == 2
    assert "title" in fields and "owner_text" in fields and "deadline" in fields
    assert item.title == "Add p95 latency alert" and item.status == "open"
    assert item.first_deadline.isoformat() == "2026-09-01"


def test_bad_date_unknown_id_and_bad_status_are_clean_errors(run_cli, db_url):
    run_cli.ok("add", "Add alert", "-p", "inc-9")
    for args, needle in [
        (("add", "X", "-p", "inc-9", "-d", "Feb 30"), "deadline 'Feb 30' is not a valid date"),
        (("add", "X", "-p", "inc-9", "-d", "whenever we can"), "not a date"),
        (("show", "42"), "no action item with id 42"),
        (("done", "1", "42"), "no action item with id 42"),
        (("edit", "1", "--status", "finished-ish"), "unknown status"),
        (("list", "--postmortem", "inc-99"), "no postmortem with slug 'inc-99'"),
    ]:
        result = run_cli(*args)
        assert result.exit_code == 2, (args, result.stdout, result.stderr)
        assert needle in result.stderr and "Traceback" not in result.stderr
        assert result.stderr.startswith("error: ")
    # `done 1 42` failed as a whole: item 1 is still open.
    [row] = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert row["status"] == "open"
    engine = create_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ActionItem)).scalar() == 1
    engine.dispose()


def test_csv_and_table_formats(run_cli):
    run_cli.ok("add", "Add alert, with comma", "-p", "inc-9", "-o", "@dana", "-d", "2026-08-01")
    csv_text = run_cli.ok("list", "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("id,postmortem,title,owner")
    assert '"Add alert, with comma"' in csv_text
    table = run_cli.ok("list").stdout
    assert "Add alert, with comma" in table and "ID" in table.splitlines()[0]


def test_duplicate_manual_item_is_refused(run_cli):
    run_cli.ok("add", "Add alert", "-p", "inc-9")
    result = run_cli("add", "add  ALERT", "-p", "inc-9")
    assert result.exit_code == 2 and "already has this item" in result.stderr
