"""A year-less deadline typed by hand is its next occurrence from today, whatever the incident's age."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta


def _month_day(day: date) -> str:
    return f"{day:%b} {day.day}"


def _next(day_text_of: date, today: date) -> date:
    """The first date on or after `today` with that month and day (never Feb 29 here)."""
    candidate = day_text_of.replace(year=today.year)
    return candidate if candidate >= today else candidate.replace(year=today.year + 1)


def _target(today: date) -> date:
    # Five weeks ahead, moved off Feb 29 so every year has it.
    target = today + timedelta(days=35)
    return target + timedelta(days=1) if (target.month, target.day) == (2, 29) else target


def test_edit_reads_a_year_less_deadline_from_today_on_an_old_postmortem(run_cli):
    today = datetime.now(UTC).date()  # [org] timezone defaults to UTC
    run_cli.ok("add", "Rotate the signing keys", "-p", "inc-2018", "--new", "--incident-date", "2018-10-09")
    target = _target(today)
    run_cli.ok("edit", "1", "--deadline", _month_day(target))
    [row] = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert row["deadline"] == _next(target, today).isoformat(), row
    assert row["overdue"] is False


def test_add_to_an_old_postmortem_reads_it_from_today(run_cli):
    today = datetime.now(UTC).date()  # [org] timezone defaults to UTC
    run_cli.ok("add", "Rotate the signing keys", "-p", "inc-2018", "--new", "--incident-date", "2018-10-09")
    target = _target(today)
    run_cli.ok("add", "Page on replica lag > 30 s", "-p", "inc-2018", "-d", _month_day(target))
    rows = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert rows[1]["deadline"] == _next(target, today).isoformat(), rows[1]


def test_add_with_an_incident_date_transcribes_from_that_date(run_cli):
    run_cli.ok(
        "add", "Shard the store", "-p", "inc-old", "--new", "--incident-date", "2019-03-01", "-d", "Mar 20"
    )
    [row] = json.loads(run_cli.ok("list", "--format", "json").stdout)
    assert row["deadline"] == "2019-03-20"
