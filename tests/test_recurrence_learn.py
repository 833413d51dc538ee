"""`tracker import` puts a new postmortem's items into recurrence's index as inserted (not read back):
what it records is still what scanning each document records, deadlines, positions and all."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_recurrence_index import _replay_with_scans, _stored, scan_db_url  # noqa: F401 (a fixture)

SERVICES = ["orders-api", "payments", "search"]
TITLES = [
    "Add alerting on orders-api queue depth",
    "Add a runbook for payments failover",
    "Set a timeout on search calls to the database",
    "Add retries with backoff to the payments client",
]
STATUSES = ["Open", "Open", "In progress", "Done", "Won't do"]


def _documents(folder: Path, count: int, seed: int) -> None:
    """Documents whose items repeat each other's words and services, with deadlines before and after
    later incidents (overdue or not) and the same title twice in a document (positions decide order)."""
    rng = random.Random(seed)
    folder.mkdir()
    for n in range(count):
        day = date(2026, 3, 1) + timedelta(days=rng.randint(0, 40))
        rows = []
        for _ in range(rng.randint(1, 5)):
            due = day + timedelta(days=rng.randint(-5, 30))
            deadline = due.isoformat() if rng.random() < 0.8 else ""
            rows.append(f"| {rng.choice(TITLES)} | @dana | {deadline} | {rng.choice(STATUSES)} |")
        services = ", ".join(rng.sample(SERVICES, rng.randint(1, 2)))
        (folder / f"{n:03d}.md").write_text(
            f"---\nslug: inc-{n:03d}\nincident_date: {day.isoformat()}\n---\n# Outage {n}\n\n"
            f"Services affected: {services}\n\n## Root cause\n\nThe payments client retried without backoff.\n\n"
            "## Action items\n\n| Action | Owner | Deadline | Status |\n| --- | --- | --- | --- |\n"
            + "\n".join(rows)
            + "\n",
            encoding="utf-8",
        )


@pytest.mark.parametrize("seed", [3, 4])
def test_items_taken_as_inserted_record_what_scanning_records(
    run_cli,
    workdir: Path,
    db_url: str,
    scan_db_url: str,  # noqa: F811 (the fixture imported above)
    seed: int,
) -> None:
    folder = workdir / "pm"
    _documents(folder, 40, seed)
    out = run_cli("import", str(folder))
    assert out.exit_code == 0, out.stdout
    _replay_with_scans(scan_db_url, workdir, folder)
    indexed, scanned = _stored(db_url), _stored(scan_db_url)
    assert indexed == scanned
    rows = [row for extra in scanned.values() for found in extra.values() for row in found]
    # Not vacuous: many of both kinds, with deadlines, some overdue, some not.
    matches = sum(len(extra.get("recurrence", [])) for extra in scanned.values())
    assert matches > 20, json.dumps(rows)[:300]
    assert sum(len(extra.get("same_service", [])) for extra in scanned.values()) > 20
    assert any(row.get("deadline") for row in rows) and any(not row.get("deadline") for row in rows)
    assert {row.get("overdue") for row in rows if "overdue" in row} == {True, False}
