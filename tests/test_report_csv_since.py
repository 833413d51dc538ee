"""`report --format csv` carries the manager's view; a relative `--since` keys saved runs on its text;
`--format json` is safe to print (over the hand-computed data set of test_report_honest, real CLI)."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import create_engine, text
from test_report_honest import BASE, day, document, imported  # noqa: F401 (the data set's fixture)


def rows_of(run_cli, *args: str) -> list[dict[str, str]]:
    out = run_cli.ok("report", "--format", "csv", *args).stdout
    return list(csv.DictReader(io.StringIO(out)))


def test_csv_has_every_manager_section_with_the_json_numbers(run_cli, imported):  # noqa: F811
    run_cli.ok("report", "--format", "json")  # a saved previous report: "since previous" has rows
    report = json.loads(run_cli.ok("report", "--format", "json", "--no-save").stdout)
    manager = report["manager"]
    rows = rows_of(run_cli, "--no-save")
    by_section: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row)

    [summary] = by_section["summary"]
    assert (summary["overdue"], summary["unowned"]) == ("1", "2")  # exact counts, not list lengths

    overdue = by_section["overdue"]
    assert [(r["item_id"], r["title"], r["days_overdue"], r["owner"]) for r in overdue] == [
        (str(e["id"]), e["title"], str(e["days_overdue"]), e["owner"]) for e in manager["overdue"]
    ]
    assert [r["title"] for r in overdue] == ["Fix the retry storm in the payment client"]
    assert overdue[0]["days_overdue"] == "20" and overdue[0]["deadline"] == day(-20)

    unowned = {r["title"] for r in by_section["unowned"]}
    assert unowned == {e["title"] for e in manager["unowned"]}
    assert "Write the runbook for payment retries" in unowned

    months = {r["key"]: r for r in by_section["incident_month"]}
    assert set(months) == {m["month"] for m in manager["by_incident_month"]}
    for month in manager["by_incident_month"]:
        row = months[month["month"]]
        assert (row["items"], row["done"], row["done_time_unknown"], row["within_30"]) == tuple(
            str(month[k]) for k in ("items", "done", "done_time_unknown", "within_30")
        )

    [due] = by_section["due_so_far"]
    assert (due["done"], due["due"]) == (
        str(manager["due_so_far"]["done"]),
        str(manager["due_so_far"]["due"]),
    )

    changes = {r["key"]: r for r in by_section["since_previous"]}
    assert set(changes) == set(manager["since_previous"]["figures"]) and "unowned" in changes
    assert changes["total"]["now"] == "5" and changes["total"]["change"] == "0"
    assert changes["total"]["previous_report_at"] == manager["since_previous"]["previous_report_at"]


def test_csv_of_a_review_has_no_manager_rows(run_cli, imported):  # noqa: F811
    sections = {row["section"] for row in rows_of(run_cli, "--no-save", "--postmortem", "inc-a")}
    assert "item" in sections
    assert not sections & {"overdue", "unowned", "incident_month", "due_so_far", "since_previous"}


def saved_scopes(db_url: str) -> list[str]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT scope FROM report_runs ORDER BY id")).scalars())
    finally:
        engine.dispose()


def test_relative_since_keys_saved_runs_on_its_text(run_cli, imported, db_url):  # noqa: F811
    run_cli.ok("report", "--format", "json", "--since", "30D")
    second = json.loads(run_cli.ok("report", "--format", "json", "--since", "30d").stdout)
    run_cli.ok("report", "--format", "json", "--since", day(-30))
    run_cli.ok("report", "--format", "json", "--since", "30d", "--postmortem", "inc-b")
    scopes = saved_scopes(db_url)
    # The same key whatever day it is run on (30d), so a rolling window compares with yesterday's run.
    assert scopes[:3] == [
        "organisation|since:30d",
        "organisation|since:30d",
        f"organisation|since:{day(-30)}",
    ]
    assert scopes[3] == "postmortem:inc-b|since:30d"
    assert second["manager"]["since_previous"]["scope"] == "organisation|since:30d"
    assert second["manager"]["since_previous"]["previous_report_at"] is not None
    # The report still shows the date the window starts on.
    assert second["scope"]["since"] == day(-30)


def test_json_escapes_what_a_terminal_would_obey(run_cli, make_config, workdir):
    make_config(BASE)
    folder = workdir / "postmortems"
    folder.mkdir()
    title = "Stop the \u009b2J clear and the \u202eevil\u202c flip \x7f in ünïcode"
    (folder / "inc-x.md").write_text(
        document("inc-x", day(-30), [f"| {title} | | {day(-3)} | Open |"], "search"), encoding="utf-8"
    )
    run_cli.ok("init")
    run_cli.ok("import", str(folder))
    out = run_cli.ok("report", "--format", "json", "--no-save").stdout
    assert not any(ch in out for ch in "\u009b\u202e\u202c\x7f\x1b")
    assert "ünïcode" in out  # other non-ASCII text stays readable
    report = json.loads(out)
    assert [e["title"] for e in report["manager"]["overdue"]] == [title]
