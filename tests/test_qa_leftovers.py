"""QA leftovers through the real CLI: unknown --team/--severity, vague hand-typed deadlines, unusable paths."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from test_report_data import CONFIG, build

from tracker.models import ReportRun


@pytest.fixture
def data(run_cli, make_config, db_url):
    """inc-1 (sev1) A..D, inc-2 (sev2) E..H; teams payments, platform and search (no members)."""
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")  # creates the database
    return build(db_url)


def report_runs(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(ReportRun)) or 0)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--team", "platfrom"),
        ("report", "--team", "platfrom"),
        ("report", "--format", "json", "--owner", "dana", "--team", "platfrom"),
    ],
)
def test_an_unknown_team_is_a_usage_error_with_the_known_teams(run_cli, data, db_url, args):
    before = report_runs(db_url)
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --team: unknown team 'platfrom'")
    assert "did you mean platform?" in result.stderr
    assert "teams in [teams] and [people]: payments, platform, search" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.output
    assert report_runs(db_url) == before  # refused before anything ran: no report saved


@pytest.mark.parametrize("command", ["list", "report", "postmortems"])
def test_an_unknown_severity_is_a_usage_error_with_the_known_severities(run_cli, data, command):
    result = run_cli(command, "--severity", "sev3")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: --severity: unknown severity 'sev3'")
    assert "did you mean sev" in result.stderr
    assert "severities of the stored postmortems and [report] severity_aliases: sev1, sev2" in result.stderr
    # A known value in another case still works, and a configured team with no members is known.
    assert run_cli(command, "--severity", "SEV2").exit_code == 0


def test_severity_aliases_are_known_values_and_suggested(run_cli, make_config, data):
    make_config(
        CONFIG.replace(
            "stale_sync_hours = 26", 'stale_sync_hours = 26\nseverity_aliases = { sev1 = "critical" }'
        )
    )
    assert json.loads(run_cli.ok("list", "--severity", "critical", "--format", "json").stdout)
    result = run_cli("report", "--severity", "critcal")
    assert result.exit_code == 2 and "did you mean critical?" in result.stderr
    assert ": critical, sev1, sev2" in result.stderr
    assert run_cli.ok("list", "--team", "search").stdout.strip() == "no matching items"


def test_with_nothing_to_match_the_error_says_what_to_configure(run_cli, make_config):
    make_config("")
    run_cli.ok("add", "Add alert", "-p", "inc-1")
    team = run_cli("list", "--team", "platform")
    assert team.exit_code == 2 and "add a [teams.NAME] table" in team.stderr
    severity = run_cli("report", "--severity", "sev1")
    assert severity.exit_code == 2 and "no postmortem has a severity yet" in severity.stderr


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_edit_refuses_a_vague_deadline_with_imports_words_and_changes_nothing(run_cli, workdir, make_config):
    make_config(f'[database]\npath = "{workdir / "t.db"}"\n')
    run_cli.ok("add", "Add alert", "-p", "inc-1", "-d", "2026-08-01")
    before = sha(workdir / "t.db")
    for text, words in [
        ("someday", "deadline 'someday' is not a date, so nobody can tell when it is late"),
        ("Q3", "deadline 'Q3' is not a date, so nobody can tell when it is late"),
        ("Feb 30", "deadline 'Feb 30' is not a valid date"),
    ]:
        result = run_cli("edit", "1", "--deadline", text)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[0] == f"error: {words}"
        assert "TBD" in result.stderr and "Traceback" not in result.output
        assert sha(workdir / "t.db") == before
    # The same words import shows for the same text in a document.
    doc = workdir / "pm.md"
    doc.write_text(
        "# Outage\n\n## Action items\n\n| Action | Owner | Deadline |\n|---|---|---|\n"
        "| Rotate the signing keys | @dana | someday |\n",
        encoding="utf-8",
    )
    imported = run_cli.ok("import", str(doc))
    assert "deadline 'someday' is not a date, so nobody can tell when it is late" in imported.stdout
    # An explicit "none decided" and a clear are still taken.
    run_cli.ok("edit", "1", "--deadline", "TBD")
    [row] = [r for r in json.loads(run_cli.ok("list", "--format", "json").stdout) if r["id"] == 1]
    assert row["deadline"] is None and row["deadline_text"] == "TBD"
    run_cli.ok("edit", "1", "--deadline", "")
    run_cli.ok("edit", "1", "--deadline", "Aug 2, 2026")


def test_digest_into_a_missing_folder_names_that_folder(run_cli, workdir):
    run_cli.ok("add", "Add alert", "-p", "inc-1")
    missing = workdir / "nonexistent"
    result = run_cli("digest", "--output", str(missing / "x.md"))
    assert result.exit_code == 2, result.output
    assert f"cannot write the digest to {missing / 'x.md'}: no such folder" in result.stderr
    assert f"hint: create {missing} first" in result.stderr and "tracker-tmp" not in result.stderr


@pytest.mark.parametrize("command", [("list",), ("init",), ("import", "--slug", "inc-1", "-")])
def test_a_sqlite_path_that_is_a_directory_is_said_to_be_one(run_cli, make_config, workdir, command):
    folder = workdir / "data"
    folder.mkdir()
    make_config(f'[database]\npath = "{folder}"\n')
    result = run_cli(*command, input="# Outage\n")
    assert result.exit_code == 2, result.output
    assert f"the database path {folder} is a directory, not a SQLite file" in result.stderr
    assert "server is running" not in result.stderr and "Traceback" not in result.output
