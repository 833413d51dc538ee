"""`tracker add -p SLUG` never creates a postmortem whose slug `postmortem rename` would refuse."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize("slug", ["", "   ", "orders outage", "inc\t214"])
def test_add_refuses_a_slug_that_is_not_one_word(run_cli, slug):
    result = run_cli("add", "Page on p95 > 500 ms", "-p", slug, "--new")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: bad slug {slug.strip()!r}"), result.stderr  # before any database
    assert "Traceback" not in result.stderr
    listed = run_cli("postmortems", "--format", "json")
    assert listed.exit_code == 2 or json.loads(listed.stdout) == []  # nothing created (nor a database)


def test_add_trims_the_slug_it_looks_up(run_cli):
    run_cli.ok("add", "Page on p95 > 500 ms", "-p", "inc-214", "--new")
    run_cli.ok("add", "Shard the orders table", "-p", " inc-214 ")
    slugs = [row["slug"] for row in json.loads(run_cli.ok("postmortems", "--format", "json").stdout)]
    assert slugs == ["inc-214"]
