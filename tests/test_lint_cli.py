"""`tracker lint` through the real CLI: documents and the database, every format, exit codes and [lint] config."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from tracker.models import ActionItem, Event

TODAY = datetime.now(UTC).date()
INCIDENT = TODAY - timedelta(days=5)
SOON = TODAY + timedelta(days=20)

PEOPLE = """
[people.dana]
name = "Dana Whitfield"
github = "dana-w"
aliases = ["@dana"]

[people.lee]
github = "lee-k"
aliases = ["@lee"]

[teams.platform]
aliases = ["@platform-eng"]
default_assignee = "dana"
"""


def document(rows: list[tuple[str, str, str, str]]) -> str:
    lines = [
        "# Orders API outage",
        "",
        "| Field | Value |",
        "| --- | --- |",
        f"| Date | {INCIDENT.isoformat()} |",
        "",
        "## Action Items",
        "",
        "| Action Item | Owner | Deadline | Status |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {title} | {owner} | {deadline} | {status} |" for title, owner, deadline, status in rows]
    return "\n".join(lines) + "\n"


FIRST_ROW = 11  # line of the first table row above

MIXED = [
    ("Add index on orders.customer_id", "@dana", SOON.isoformat(), "Open"),
    ("Improve monitoring", "@platform-eng", "Ongoing", "Open"),
    ("Add slow-query alerting (> 500 ms) to database monitoring", "", SOON.isoformat(), "Open"),
    ("Be more careful", "@lee", SOON.isoformat(), "Done"),
]
WARNINGS_ONLY = [("Improve monitoring", "@dana", SOON.isoformat(), "Open")]


def write(workdir: Path, name: str, rows: list[tuple[str, str, str, str]]) -> Path:
    path = workdir / name
    path.write_text(document(rows), encoding="utf-8")
    return path


def test_text_format_and_exit_code(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    write(workdir, "pm.md", MIXED)
    result = run_cli("lint", "pm.md")
    assert result.exit_code == 1  # owner-missing is an error
    out = result.stdout
    second, third = FIRST_ROW + 1, FIRST_ROW + 2
    assert (
        f"pm.md:{second}: owner-team: owner '@platform-eng' is the team 'platform' in [teams], not a person"
        in out
    )
    assert f"pm.md:{second}: deadline-not-a-date: deadline 'Ongoing' is not a date" in out
    assert f"pm.md:{second}: wording-not-specific: not specific: 'Improve'" in out
    assert f"pm.md:{third}: owner-missing: no owner" in out
    assert f"pm.md:{FIRST_ROW}:" not in out  # the good item
    assert f"pm.md:{FIRST_ROW + 3}:" not in out  # done items are not linted
    assert "How to fix:" in out and "owner-missing: name one person" in out
    assert "1 error, 3 warnings, 0 info on 2 of 4 item(s) checked" in out
    assert "finding(s) at severity error or above" in result.stderr


def test_warnings_pass_unless_strict(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    write(workdir, "pm.md", WARNINGS_ONLY)
    assert run_cli("lint", "pm.md").exit_code == 0
    assert run_cli("lint", "--strict", "pm.md").exit_code == 1


def test_clean_document_exits_zero(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    write(workdir, "pm.md", MIXED[:1])
    result = run_cli.ok("lint", "--strict", "pm.md")
    assert "0 errors, 0 warnings, 0 info on 0 of 1 item(s) checked" in result.stdout


def test_json_shape(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    write(workdir, "pm.md", MIXED)
    result = run_cli("lint", "--format", "json", "pm.md")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)
    assert list(findings[0]) == [
        "path",
        "line",
        "postmortem",
        "item",
        "title",
        "rule",
        "category",
        "severity",
        "message",
        "hint",
        "label",
    ]
    missing = next(f for f in findings if f["rule"] == "owner-missing")
    assert missing == {
        "path": "pm.md",
        "line": FIRST_ROW + 2,
        "postmortem": "pm",
        "item": None,
        "title": "Add slow-query alerting (> 500 ms) to database monitoring",
        "rule": "owner-missing",
        "category": "ownership",
        "severity": "error",
        "message": "no owner: nobody owns it, so nobody does it",
        "hint": missing["hint"],
        "label": "needs-owner",
    }
    assert "@dana" in missing["hint"]


def test_csv_findings_and_rules(run_cli, make_config, workdir: Path) -> None:
    import csv
    import io

    make_config(PEOPLE)
    write(workdir, "pm.md", MIXED)
    result = run_cli("lint", "--format", "csv", "pm.md")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = json.loads(run_cli("lint", "--format", "json", "pm.md").stdout)
    assert [(r["line"], r["rule"], r["message"]) for r in rows] == [
        (str(f["line"]), f["rule"], f["message"]) for f in expected
    ]
    rules = list(csv.DictReader(io.StringIO(run_cli.ok("lint", "--list-rules", "--format", "csv").stdout)))
    listed = json.loads(run_cli.ok("lint", "--list-rules", "--format", "json").stdout)
    assert [r["rule"] for r in rules] == [r["rule"] for r in listed] and rules[0]["summary"]


def test_markdown_format(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    write(workdir, "pm.md", MIXED)
    out = run_cli("lint", "--format", "markdown", "pm.md").stdout
    assert out.startswith("## Action item lint")
    assert "### pm.md" in out
    assert "| Line | Item | Severity | Rule | Problem | How to fix |" in out
    assert (
        f"| {FIRST_ROW + 2} | Add slow-query alerting (> 500 ms) to database monitoring | error | `owner-missing` |"
        in out
    )


def test_github_annotations(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    write(workdir, "pm.md", MIXED)
    result = run_cli("lint", "--format", "github", "pm.md")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert any(
        line.startswith(f"::error file=pm.md,line={FIRST_ROW + 2},title=owner-missing (ownership)::no owner")
        for line in lines
    )
    warning = next(line for line in lines if "title=deadline-not-a-date" in line)
    assert warning.startswith(f"::warning file=pm.md,line={FIRST_ROW + 1},")
    assert all(line.startswith("::") for line in lines)


def test_config_relevels_and_turns_off_rules(run_cli, make_config, workdir: Path) -> None:
    make_config(
        PEOPLE + '\n[lint]\nrules = { "owner-missing" = "warning", "wording-not-specific" = "off" }\n'
    )
    write(workdir, "pm.md", MIXED)
    result = run_cli("lint", "--format", "json", "pm.md")
    assert result.exit_code == 0
    findings = json.loads(result.stdout)
    assert {f["rule"]: f["severity"] for f in findings}["owner-missing"] == "warning"
    assert "wording-not-specific" not in {f["rule"] for f in findings}


def test_config_fail_on_and_max_items(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE + '\n[lint]\nfail_on = "warning"\nmax_items = 1\n')
    write(workdir, "pm.md", [MIXED[0], ("Add index on users.email", "@lee", SOON.isoformat(), "Open")])
    result = run_cli("lint", "pm.md")
    assert result.exit_code == 1
    assert (
        f"pm.md:{FIRST_ROW + 1}: scope-too-many-items: 2 action items in one postmortem (limit 1)"
        in result.stdout
    )


def test_bad_lint_config_is_a_usage_error(run_cli, make_config, workdir: Path) -> None:
    make_config('[lint]\nrules = { "owner-mising" = "error" }\n')
    write(workdir, "pm.md", MIXED)
    result = run_cli("lint", "pm.md")
    assert result.exit_code == 2
    assert "rules.owner-mising: unknown rule (did you mean 'owner-missing'?)" in result.stderr


def test_rule_filter_and_unknown_rule(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    write(workdir, "pm.md", MIXED)
    out = run_cli("lint", "--rule", "deadline-not-a-date", "pm.md").stdout
    assert "deadline-not-a-date" in out and "owner-missing:" not in out
    bad = run_cli("lint", "--rule", "nope", "pm.md")
    assert bad.exit_code == 2 and "unknown rule: nope" in bad.stderr


def test_missing_path_and_stdin(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    missing = run_cli("lint", "nowhere.md")
    assert missing.exit_code == 2 and "nowhere.md: no such file or folder" in missing.stderr
    result = run_cli("lint", "-", input=document(WARNINGS_ONLY))
    assert result.exit_code == 0
    assert f"<stdin>:{FIRST_ROW}: wording-not-specific" in result.stdout


def test_folder_lints_every_markdown_file(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    folder = workdir / "postmortems"
    folder.mkdir()
    write(folder, "a.md", WARNINGS_ONLY)
    write(folder, "b.md", [("Test more", "@dana", SOON.isoformat(), "Open")])
    out = run_cli("lint", "postmortems").stdout
    assert "a.md:" in out and "b.md:" in out and "on 2 of 2 item(s)" in out


def test_list_rules(run_cli, make_config) -> None:
    make_config('[lint]\nrules = { "scope-duplicate" = "off" }\n')
    rows = json.loads(run_cli.ok("lint", "--list-rules", "--format", "json").stdout)
    by_id = {row["rule"]: row for row in rows}
    assert by_id["scope-duplicate"]["severity"] == "off"
    assert by_id["owner-missing"]["label"] == "needs-owner"
    assert by_id["progress-overdue"]["database_only"] is True
    assert all(row["hint"] and row["summary"] for row in rows)


def test_database_items_with_progress_rules(run_cli, make_config, db_url: str) -> None:
    make_config(PEOPLE)
    incident = (TODAY - timedelta(days=40)).isoformat()
    late = (TODAY - timedelta(days=3)).isoformat()
    run_cli.ok(
        "add",
        "Add index on orders.customer_id",
        "-p",
        "inc-1",
        "-o",
        "@dana",
        "-d",
        late,
        "--incident-date",
        incident,
    )
    run_cli.ok(
        "add", "Rotate the ingress TLS certificates", "-p", "inc-1", "-o", "@lee", "-d", SOON.isoformat()
    )
    run_cli.ok(
        "add", "Add index on orders.customer_id column", "-p", "inc-2", "-o", "@lee", "-d", SOON.isoformat()
    )
    engine = create_engine(db_url)
    with engine.begin() as connection:  # imported long ago and never pushed anywhere
        connection.execute(update(ActionItem).values(created_at=datetime.now(UTC) - timedelta(days=10)))
        connection.execute(update(Event).values(recorded_at=datetime.now(UTC) - timedelta(days=10)))
    engine.dispose()
    result = run_cli("lint", "--format", "json")
    findings = json.loads(result.stdout)
    rules = {(f["postmortem"], f["item"], f["rule"]) for f in findings}
    assert ("inc-1", 1, "progress-overdue") in rules
    assert ("inc-1", 2, "progress-not-linked") in rules
    assert ("inc-2", 3, "scope-duplicate") in rules
    assert all(f["path"] is None for f in findings)
    assert result.exit_code == 0  # progress findings are warnings
    assert run_cli("lint", "--strict").exit_code == 1
    text = run_cli("lint", "--rule", "progress-overdue").stdout
    assert text.startswith("inc-1#1: progress-overdue: overdue by 3 days")


def test_document_duplicates_use_the_database_when_it_exists(run_cli, make_config, workdir: Path) -> None:
    make_config(PEOPLE)
    run_cli.ok(
        "add",
        "Add slow query alerting (>500ms) to the database monitoring",
        "-p",
        "inc-9",
        "-o",
        "@dana",
        "-d",
        SOON.isoformat(),
    )
    write(workdir, "pm.md", MIXED)
    out = run_cli("lint", "--rule", "scope-duplicate", "pm.md").stdout
    assert f"pm.md:{FIRST_ROW + 2}: scope-duplicate: near-duplicate" in out and "item 1 of inc-9" in out


def test_database_lint_needs_a_database(run_cli, make_config) -> None:
    make_config("")
    result = run_cli("lint")
    assert result.exit_code == 2
    assert "no database" in result.stderr or "has not been initialised" in result.stderr


def test_the_guide_template_through_the_real_parser(run_cli, make_config, shared_dir: Path) -> None:
    make_config(PEOPLE)
    result = run_cli(
        "lint", "--format", "json", str(shared_dir / "examples" / "guide-template-orders-api.md")
    )
    findings = json.loads(result.stdout)
    by_rule: dict[str, list[str]] = {}
    for finding in findings:
        by_rule.setdefault(finding["rule"], []).append(finding["title"])
    assert "Add query performance testing to CI pipeline" in by_rule["owner-team"]  # @platform-eng
    assert by_rule["deadline-not-a-date"] == [
        "Move high-risk deployments to low-traffic windows (before 10 AM)"
    ]
    assert "Add index on orders.customer_id" not in {f["title"] for f in findings}  # done at import
    assert not [r for r in by_rule if r.startswith("wording-")]  # the guide's good items are not vague


def test_workflow_file_lints_pull_requests() -> None:
    workflow = (Path(__file__).resolve().parents[1] / "docs" / "github-actions-lint.yml").read_text()
    assert "pull_request" in workflow
    assert "tracker lint" in workflow and "--format github" in workflow


def test_a_broken_database_does_not_stop_document_lint(
    run_cli, make_config, workdir: Path, db_url: str
) -> None:
    make_config(PEOPLE)
    if not db_url.startswith("sqlite:///"):
        pytest.skip("needs a SQLite file to corrupt")
    Path(db_url.removeprefix("sqlite:///")).write_bytes(b"this is not a database")
    write(workdir, "pm.md", WARNINGS_ONLY)
    result = run_cli("lint", "pm.md")
    assert result.exit_code == 0
    assert f"pm.md:{FIRST_ROW}: wording-not-specific" in result.stdout
    assert "warning: not comparing with the database" in result.stderr


def test_unassigned_items_are_flagged_after_the_assignment_deadline(run_cli, make_config, db_url):
    from datetime import timedelta

    from sqlalchemy import create_engine, update

    from tracker.models import ActionItem, utcnow

    make_config(PEOPLE_FOR_ASSIGNMENT + "\n[sync]\nassignment_days = 5\n")
    run_cli.ok(
        "add",
        "Alert when orders-db p95 > 500 ms for 5 min",
        "-p",
        "inc-1",
        "-o",
        "@platform-eng",
        "-d",
        "2999-01-01",
    )
    run_cli.ok("add", "Page the DBA on replica lag > 30 s", "-p", "inc-1", "-o", "@dana", "-d", "2999-01-01")
    fresh = run_cli("lint", "--format", "json")
    assert "progress-unassigned" not in fresh.stdout  # not yet: imported today
    engine = create_engine(db_url)
    with engine.begin() as connection:
        connection.execute(update(ActionItem).values(created_at=utcnow() - timedelta(days=9)))
        connection.execute(update(Event).values(recorded_at=utcnow() - timedelta(days=9)))
    engine.dispose()
    findings = [
        f
        for f in json.loads(run_cli("lint", "--format", "json").stdout)
        if f["rule"] == "progress-unassigned"
    ]
    assert [f["item"] for f in findings] == [1]
    assert "9 days after import" in findings[0]["message"]


PEOPLE_FOR_ASSIGNMENT = """
[people."dana"]
name = "Dana Whitfield"
aliases = ["@dana"]

[teams.platform]
members = ["dana"]
aliases = ["@platform-eng"]
"""
