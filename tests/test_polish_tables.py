"""The report's item tables cut the item's wording like a title: long items never turn a whole
section into one `header value` block per row."""

from __future__ import annotations

import pytest
from test_report_data import CONFIG, build

WORDY = (
    "Update the system update runbooks to include validating that nftables rules survive a reboot "
    "on every Redis host, and page the on-call engineer when they do not"
)


@pytest.mark.parametrize("width", [80, 100, 160])
def test_overdue_items_with_long_wording_stay_a_table(run_cli, make_config, db_url, width):
    make_config(CONFIG)
    run_cli.ok("add", WORDY, "-p", "inc-redis-2023-07", "--new", "-o", "@platform-oncall", "-d", "2026-01-10")
    build(db_url)
    out = run_cli("report", "--no-save", env={"COLUMNS": str(width)})
    assert out.exit_code == 0, out.output
    section = out.stdout.split("== Overdue items\n", 1)[1].split("\n== ", 1)[0]
    lines = section.splitlines()
    assert lines[0].split()[:2] == ["ID", "ITEM"], section  # a header row, not `id  1` records
    assert not any(line.startswith("id ") for line in lines), section
    assert any(line.split()[1:2] == ["Update"] for line in lines[1:]), section  # cut, not dropped
    assert all(len(line) <= width for line in lines)
