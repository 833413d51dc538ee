"""Default deadlines by severity and recurrence matching, through `tracker import` and `tracker report`."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import create_engine, select

from tracker.models import Event
from tracker.policy import add_days

EARLIER = """---
slug: inc-214
---
# Orders API 5xx

**Date:** 2026-01-10
**Severity:** Critical
**Services affected:** orders-api

## Root Cause

A query on the orders table filtered by customer_id without an index.

## Action Items

| Action Item | Owner | Deadline | Status |
| --- | --- | --- | --- |
| Add slow-query alerting (> 500ms) to database monitoring | @dana | | Open |
| Add query performance testing to CI pipeline | @dana | 2026-02-01 | Open |
| Increase database connection pool from 20 to 50 | @dana | 2026-01-12 | Done |
"""

LATER = """---
slug: inc-301
---
# Orders API timeouts

**Date:** 2026-03-02
**Severity:** Major
**Services affected:** orders-api

## Root Cause

A new report query caused full table scans; slow queries went unnoticed because the database monitoring
has no slow-query alerting, and the CI pipeline runs no query performance testing.

## Action Items

| Action Item | Owner | Deadline | Status |
| --- | --- | --- | --- |
| Add an index for the monthly report query | @dana | 2026-03-20 | Open |
"""

CONFIG = """
[org]
timezone = "UTC"

[people."dana"]
github = "dana-w"
aliases = ["@dana"]

[sync]
default_deadline_days = { critical = 15, default = 30 }
skip_weekends = true
"""


def test_add_days_skips_weekends():
    friday = date(2026, 7, 3)
    assert add_days(friday, 1, False) == date(2026, 7, 4)
    assert add_days(friday, 1, True) == date(2026, 7, 6)
    assert add_days(friday, 5, True) == date(2026, 7, 10)


def test_policy_deadline_and_recurrence_on_import(run_cli, make_config, workdir, db_url):
    make_config(CONFIG)
    (workdir / "a.md").write_text(EARLIER)
    (workdir / "b.md").write_text(LATER)
    out = run_cli.ok("import", "a.md").stdout
    assert "set by policy: severity critical -> 15 business days" in out
    items = {i["title"]: i for i in json.loads(run_cli.ok("list", "--format", "json").stdout)}
    policy = items["Add slow-query alerting (> 500ms) to database monitoring"]
    # Counted from the incident unless that is already past: then from the import day.
    expected = add_days(date(2026, 1, 10), 15, True)
    if expected < date.today():
        expected = add_days(date.today(), 15, True)
    assert policy["deadline"] == expected.isoformat() and policy["deadline_text"] is None
    engine = create_engine(db_url)
    with engine.connect() as c:
        events = c.execute(select(Event.source, Event.new).where(Event.field == "deadline")).all()
        first = c.execute(select(Event.item_id).where(Event.source == "policy")).scalar_one()
        from sqlalchemy import text

        source, first_deadline = c.execute(
            text("SELECT deadline_source, first_deadline FROM action_items WHERE id = :i"), {"i": first}
        ).one()
    engine.dispose()
    assert ("policy", expected.isoformat()) in events
    assert source == "policy" and first_deadline is None  # not a commitment: on-time rates ignore it
    # Re-importing the unchanged document keeps the policy deadline and records nothing new.
    again = json.loads(run_cli.ok("import", "a.md", "--format", "json").stdout)
    assert again["documents"][0]["counts"]["updated"] == 0
    # The later incident echoes two still-open items of the earlier one; the done item is not named.
    out = run_cli.ok("import", "b.md").stdout
    assert "recurrence: inc-214's item 'Add slow-query alerting (> 500ms) to database monitoring'" in out
    assert "was still open when this incident happened" in out
    assert "Increase database connection pool" not in out
    report = json.loads(run_cli.ok("report", "--postmortem", "inc-301", "--format", "json").stdout)
    found = report["recurrence"]
    assert any(r["postmortem"] == "inc-214" and r["incident"] == "inc-301" for r in found)
    text_report = run_cli.ok("report").stdout
    assert "still open when this incident happened" in text_report
