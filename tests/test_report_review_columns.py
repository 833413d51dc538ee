"""The review table names the postmortem on each row only when the review spans several."""

from __future__ import annotations

from test_report_data import CONFIG, build


def _review_header(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("== Items for the review")
    return lines[start + 1].split()


def test_one_postmortems_review_gives_the_postmortem_column_to_the_items(make_config, run_cli, db_url):
    make_config(CONFIG)
    run_cli.ok("add", "Item I", "-p", "inc-3", "-o", "@sam", "-d", "2099-01-01")
    build(db_url)

    one = run_cli.ok("report", "--postmortem", "inc-2", "--no-save").stdout
    assert _review_header(one)[:3] == ["ID", "ITEM", "OWNER"]
    assert "Item E" in one  # the items are still all there

    several = run_cli.ok("report", "--review-window", "2026-01-01..2026-02-28", "--no-save").stdout
    assert _review_header(several)[:3] == ["ID", "POSTMORTEM", "ITEM"]
    listed = several.split("== Items for the review", 1)[1]
    assert "inc-1" in listed and "inc-2" in listed
