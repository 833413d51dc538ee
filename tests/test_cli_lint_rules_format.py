"""`tracker lint --list-rules` prints text, json or csv; another --format is refused, not ignored."""

from __future__ import annotations

import csv
import io
import json

import pytest


@pytest.mark.parametrize("fmt", ["github", "markdown"])
def test_list_rules_refuses_a_format_it_cannot_print(run_cli, fmt):
    result = run_cli("lint", "--list-rules", "--format", fmt)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: --list-rules prints text, json or csv, not {fmt}")
    assert result.stdout == ""


def test_list_rules_formats_agree(run_cli):
    rules = [row["rule"] for row in json.loads(run_cli.ok("lint", "--list-rules", "--format", "json").stdout)]
    table = list(csv.DictReader(io.StringIO(run_cli.ok("lint", "--list-rules", "--format", "csv").stdout)))
    assert [row["rule"] for row in table] == rules and "owner-missing" in rules
    text = run_cli.ok("lint", "--list-rules").stdout
    assert all(rule in text for rule in rules)
