"""`tracker lint FILE` reads a year-less deadline against the same day `tracker import` does."""

from __future__ import annotations

import json
import re
from pathlib import Path

DOCUMENT = """# Database outage

## Action Items

| Action Item | Owner | Deadline | Status |
| --- | --- | --- | --- |
| Add a replication lag alert at 30 s to the primary database | @alice | Dec 1 | Open |
| Write the failover runbook for the orders database | @bob | Mar 3 | Open |
"""


def _lint_deadlines(run_cli, name: str) -> dict[str, str]:
    findings = json.loads(run_cli("lint", "--format", "json", name).stdout)
    dates = {}
    for finding in findings:
        found = re.search(r"\d{4}-\d{2}-\d{2}", finding["message"])
        if finding["category"] == "deadline" and found:
            dates[finding["title"]] = found.group(0)
    return dates


def test_a_dated_file_name_dates_year_less_deadlines_for_lint_as_for_import(run_cli, workdir: Path) -> None:
    # No date inside the document: the file name's date is the incident's, for import and lint alike.
    (workdir / "2025-11-20-db-outage.md").write_text(DOCUMENT, encoding="utf-8")

    linted = _lint_deadlines(run_cli, "2025-11-20-db-outage.md")
    run_cli.ok("import", "2025-11-20-db-outage.md")
    stored = {
        row["title"]: row["deadline"] for row in json.loads(run_cli.ok("list", "--format", "json").stdout)
    }

    assert stored == {
        "Add a replication lag alert at 30 s to the primary database": "2025-12-01",
        "Write the failover runbook for the orders database": "2026-03-03",
    }
    assert linted == stored


def test_a_document_date_wins_over_the_file_name(run_cli, workdir: Path) -> None:
    dated = DOCUMENT.replace("# Database outage\n", "# Database outage\n\n**Date:** 2024-06-02\n")
    (workdir / "2025-11-20-db-outage.md").write_text(dated, encoding="utf-8")

    linted = _lint_deadlines(run_cli, "2025-11-20-db-outage.md")

    assert linted["Add a replication lag alert at 30 s to the primary database"] == "2024-12-01"
    assert linted["Write the failover runbook for the orders database"] == "2025-03-03"
