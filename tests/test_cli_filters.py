"""gh-like filters and shapes: list --team/--severity/--target/--since/--sort/--limit/--columns/--no-headers,
the same filters on report, and `[report] severity_aliases`."""

from __future__ import annotations

import csv
import io
import json

import pytest
from test_report_data import CONFIG, build


@pytest.fixture
def data(run_cli, make_config, db_url):
    """inc-1 (sev1, 2026-01-04) A..D, inc-2 (sev2, 2026-01-30) E..H, and inc-3 (no severity) I."""
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    return build(db_url)


def titles(run_cli, *args: str) -> list[str]:
    return [
        r["title"].removeprefix("Item ")
        for r in json.loads(run_cli.ok("list", *args, "--format", "json").stdout)
    ]


def test_team_severity_target_since(run_cli, data):
    assert titles(run_cli, "--team", "search") == ["G", "H"]
    assert titles(run_cli, "--team", "payments") == ["A", "B", "F"]
    assert titles(run_cli, "--severity", "sev1") == ["A", "B", "C", "D"]
    assert titles(run_cli, "--target", "jr") == ["E"]
    assert titles(run_cli, "--target", "gh", "--team", "platform") == ["C", "D"]
    assert titles(run_cli, "--since", "2026-01-15") == [
        "E",
        "F",
        "G",
        "H",
        "I",
    ]  # inc-2, and inc-3 (added today)
    assert titles(run_cli, "--since", "2026-01-31") == ["I"]
    bad = run_cli("list", "--since", "last week")
    assert bad.exit_code == 2 and "--since 'last week' is not a date" in bad.stderr


def test_sort_limit_columns_and_no_headers(run_cli, data):
    assert titles(run_cli, "--sort", "-id", "--limit", "3") == ["H", "G", "F"]  # I was added first
    # A and C 02-01; D (moved), E and F 03-01; G 03-20; H 03-31; I 2099; B has none: last.
    assert titles(run_cli, "--sort", "deadline") == ["A", "C", "D", "E", "F", "G", "H", "I", "B"]
    assert titles(run_cli, "--sort", "-deadline")[:2] == ["I", "H"]
    out = run_cli.ok("list", "--columns", "id,title,team", "--sort", "title", "--limit", "2").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "TEAM"] and "Item A" in lines[1] and "payments" in lines[1]
    bare = run_cli.ok("list", "--columns", "title,status", "--no-headers", "--limit", "1").stdout
    assert bare.split() == ["Item", "A", "wont_do"]
    rows = list(
        csv.reader(
            io.StringIO(
                run_cli.ok("list", "--format", "csv", "--columns", "id,severity", "--no-headers").stdout
            )
        )
    )
    assert len(rows) == 9 and {r[1] for r in rows} == {"sev1", "sev2", ""}


def test_bad_sort_and_columns_suggest(run_cli, data):
    result = run_cli("list", "--sort", "dedline")
    assert result.exit_code == 2 and "did you mean deadline?" in result.stderr
    result = run_cli("list", "--columns", "id,titel")
    assert result.exit_code == 2 and "did you mean title?" in result.stderr


def report(run_cli, *args: str) -> dict:
    return json.loads(run_cli.ok("report", "--no-save", "--format", "json", *args).stdout)


def test_report_team_severity_since(run_cli, data):
    whole = report(run_cli)
    team = report(run_cli, "--team", "search")
    assert team["summary"]["total"] == 2 and team["scope"]["team"] == "search"
    assert [g["key"] for g in team["groups"]["team"]] == ["search"]
    assert team["trend"][-1]["total"] == 2  # the trend narrows too (not the stored whole-org points)
    sev = report(run_cli, "--severity", "sev2")
    assert sev["summary"]["total"] == 4 and [g["key"] for g in sev["groups"]["postmortem"]] == ["inc-2"]
    gh = report(run_cli, "--target", "gh")
    assert gh["summary"]["total"] == 4 and [g["key"] for g in gh["groups"]["target"]] == ["gh"]  # C D F H
    assert report(run_cli, "--target", "gh", "--team", "search")["summary"]["total"] == 1  # H
    since = report(run_cli, "--since", "2026-01-15")
    assert since["summary"]["total"] == 5  # inc-2 and inc-3
    assert whole["summary"]["total"] == 9
    text = run_cli.ok("report", "--no-save", "--team", "search").stdout
    assert text.splitlines()[0].endswith("(team search)")


def test_severity_aliases_group_scales_as_one(run_cli, make_config, data):
    before = {g["key"]: g["total"] for g in report(run_cli)["groups"]["severity"]}
    assert before == {"sev1": 4, "sev2": 4, "(none)": 1}
    make_config(
        CONFIG.replace(
            "stale_sync_hours = 26",
            'stale_sync_hours = 26\nseverity_aliases = { SEV1 = "critical", sev2 = "critical" }',
        )
    )
    after = report(run_cli)["groups"]["severity"]
    assert {g["key"]: g["total"] for g in after} == {"critical": 8, "(none)": 1}
    [critical] = [g for g in after if g["key"] == "critical"]
    assert critical["done"] == 4 and critical["median_days_to_done"] is not None  # E, H, C, D
    assert titles(run_cli, "--severity", "critical") == ["A", "B", "C", "D", "E", "F", "G", "H"]
    assert titles(run_cli, "--severity", "sev1") == [
        "A",
        "B",
        "C",
        "D",
        "E",
        "F",
        "G",
        "H",
    ]  # sev1 counts as critical
    rows = json.loads(run_cli.ok("postmortems", "--format", "json").stdout)
    assert [p["severity"] for p in rows] == ["critical", "critical", None]
    assert report(run_cli, "--severity", "critical")["summary"]["total"] == 8
