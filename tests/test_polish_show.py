"""`tracker show` fits $COLUMNS (or the terminal) like the tables do; a pipe gets whole lines."""

from __future__ import annotations

import pytest

TITLE = "Alert when the cart-cache hit ratio stays below 80% for five minutes during the checkout peak"


@pytest.fixture
def item(run_cli):
    run_cli.ok("add", TITLE, "-p", "inc-214", "-o", "@dana", "-d", "2026-07-01", "--new")
    run_cli.ok("edit", "1", "--owner", "@sam-platform-oncall")
    return run_cli


@pytest.mark.parametrize("width", [50, 60, 80])
def test_show_fits_columns_without_splitting_a_word(item, width):
    out = item("show", "1", env={"COLUMNS": str(width)})
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    for line in lines:
        assert len(line) <= width, f"{len(line)} > {width}: {line!r}"
    # Every word of the title is still there, whole, in order (wrapped, never cut).
    assert " ".join(" ".join(lines).split()).count(TITLE) >= 1
    assert lines[0].startswith("#1  Alert") and lines[1].startswith("    ")  # continuation indented


def test_show_in_a_pipe_keeps_whole_lines(item):
    out = item.ok("show", "1").stdout
    assert f"#1  {TITLE}" in out.splitlines()
