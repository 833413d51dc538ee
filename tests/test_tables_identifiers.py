"""Identifiers (issue keys, slugs, lint rule ids, owners) are never cut; a title keeps MIN_TITLE
before a table is split, and every part of a split repeats the first column."""

from __future__ import annotations

import pytest
from test_report_data import CONFIG, build

from tracker.table import ELLIPSIS, MIN_TITLE, render

TITLE = "Alert when the cart-cache hit ratio stays below 80% for five minutes during the peak"
HEADERS = ["id", "item", "owner", "status", "deadline", "issue", "lint"]
ROWS = [
    [
        1,
        TITLE,
        "@platform-eng",
        "in_progress",
        "2026-12-16",
        "demo-corp/checkout#1",
        "progress-due-after-review",
    ],
    [2, "Short", "@lee", "open", "2026-12-26", "OPS-1", "owner-missing, deadline-missing, wording-vague"],
]


def cells_of(table: str, header: str) -> list[str]:
    """The values of one column in every part of a (possibly split) table."""
    values = []
    for part in table.split("\n\n"):
        lines = part.splitlines()
        names = lines[0].split("  ")
        names = [n.strip().lower() for n in names if n.strip()]
        if header not in names:
            continue
        start = lines[0].lower().index(header.upper().lower())
        for line in lines[1:]:
            rest = line[start:]
            values.append(rest.split("  ")[0].strip())
    return values


@pytest.mark.parametrize("width", [80, 100, 120])
def test_identifiers_are_whole_and_the_title_keeps_its_room(width):
    table = render(ROWS, HEADERS, width=width, shrink=("item", "lint", "issue", "owner"))
    assert all(len(line) <= width for line in table.splitlines()), table
    assert cells_of(table, "issue") == ["demo-corp/checkout#1", "OPS-1"], table
    assert cells_of(table, "owner") == ["@platform-eng", "@lee"], table
    [title] = [
        line.split("  ")[1] for line in table.splitlines() if line.startswith("1 ") and "Alert" in line
    ]
    assert len(title.strip()) >= MIN_TITLE - 2, table  # cut at a word boundary, never to a stub
    for part in table.split("\n\n"):
        assert part.splitlines()[0].startswith("ID"), table  # every part repeats the id


def test_a_list_of_rule_ids_drops_whole_entries():
    table = render(ROWS, HEADERS, width=40, shrink=("item", "lint"))
    lint = cells_of(table, "lint")
    assert lint[0] == "progress-due-after-review", table
    assert lint[1] in ("owner-missing +2", "owner-missing, deadline-missing +1"), table
    assert ELLIPSIS not in "".join(lint)


@pytest.mark.parametrize("width", [80, 100, 120])
def test_review_of_one_postmortem_keeps_titles_and_issue_keys(run_cli, make_config, db_url, width):
    make_config(CONFIG)
    run_cli.ok(
        "add", TITLE, "-p", "queue-backlog-2026-05-checkout", "-o", "@platform-oncall", "-d", "2026-01-10"
    )
    build(db_url)
    out = run_cli("report", "-p", "queue-backlog-2026-05-checkout", "--no-save", env={"COLUMNS": str(width)})
    assert out.exit_code == 0, out.output
    section = out.stdout.split("== Items for the review\n", 1)[1].split("\n== ", 1)[0]
    assert all(len(line) <= width for line in section.splitlines()), section
    [line] = [line for line in section.splitlines() if "Alert when" in line]
    title = line.split("Alert when", 1)[1].split("  ")[0]
    assert len("Alert when" + title) >= MIN_TITLE - 2, section
    assert "@platform-oncall" in section, section


@pytest.mark.parametrize("width", [80, 100])
def test_list_never_cuts_a_slug_or_an_owner(run_cli, make_config, db_url, width):
    make_config(CONFIG)
    run_cli.ok(
        "add", TITLE, "-p", "queue-backlog-2026-05-checkout", "-o", "@platform-oncall", "-d", "2026-01-10"
    )
    build(db_url)
    out = run_cli("list", env={"COLUMNS": str(width)})
    assert out.exit_code == 0, out.output
    assert "queue-backlog-2026-05-checkout" in out.stdout and "@platform-oncall" in out.stdout, out.stdout
    assert "queue-backlog…" not in out.stdout and "queue-…" not in out.stdout
    assert all(len(line) <= width for line in out.stdout.splitlines())
