"""Forms met in the third out-of-sample set of postmortems (docs/import.md, "Checked on documents from
other organisations"), each read from a small document written for the test."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from test_import_support import counts, items

from tracker.cli import cli
from tracker.importing.parser import parse_document
from tracker.statuses import Status


def parse(text: str):
    return parse_document(text, "doc.md", set(), None, ())


def titles(text: str) -> list[str]:
    return [d.title for d in parse(text).items]


# -- a template's instructions in braces left under its sub-headings ------------------------------

TEMPLATE_INSTRUCTIONS = """# Postmortem: search index rebuilt twice

## Summary

The nightly job rebuilt the search index twice and served stale results for an hour.

## Action items

- Make the rebuild job take a lock before it starts. OWNER: lena@ (DONE).
- Alert when two rebuilds overlap. OWNER: omar@

### Detection

{link to issues for things that would have detected this failure before it became an incident}

* Add a freshness probe to the search dashboard - https://example.org/issues/41.

### Process

{link to issues for things that would have helped us resolve this failure faster}
 * A runbook for stale search results:
   * How to stop a running rebuild
   * How to restore yesterday's index

### Fixes

{link to the changes that were necessary to resolve this incident}

## Lessons learned

### What worked

- The on-call noticed within minutes.
"""


def test_brace_instructions_are_neither_items_nor_the_prose_of_heading_items() -> None:
    items = parse(TEMPLATE_INSTRUCTIONS).items
    assert [d.title for d in items] == [
        "Make the rebuild job take a lock before it starts.",
        "Alert when two rebuilds overlap.",
        "Add a freshness probe to the search dashboard - https://example.org/issues/41.",
        "A runbook for stale search results:",
        "How to stop a running rebuild",
        "How to restore yesterday's index",
    ]
    assert [(d.owner_text, d.status_text) for d in items[:2]] == [("lena@", "DONE"), ("omar@", None)]


def test_a_brace_instruction_over_prose_sub_headings_does_not_become_an_item() -> None:
    text = """# Outage

## Action items

### Add disk alerts

{describe the action}

The disks filled up without anyone being paged; page at 80%.

### Shard the store

{describe the action}

One store took every write; split it by tenant.
"""
    assert titles(text) == ["Add disk alerts", "Shard the store"]


def test_double_braced_and_one_word_braces_are_not_instructions() -> None:
    text = """# Outage

## Action items

- Rotate the {{ service }} credentials
- Rename the {env} variable in the deploy script
"""
    assert titles(text) == [
        "Rotate the {{ service }} credentials",
        "Rename the {env} variable in the deploy script",
    ]


# -- paragraphs that mark themselves as items, outside any action section -------------------------

MARKED_PARAGRAPHS = """# 2026-02-11 Reverse proxy down

## What happened

**TODO** this line tells the incident and is not an item: the proxy was restarted by hand.

## Lessons learned

Looking at the disk graph first would have saved an hour.

**DONE**: Mira added the wiki and the blog to the monitored sites.

**TODO**: we need to watch systemd units so that a stopped service is noticed.
A systemd exporter would let us alert on any failed unit.

**TODO** the import job should check the free disk space before it downloads the dump.
"""


def test_bold_todo_and_done_paragraphs_are_items_wherever_the_incident_is_not_told() -> None:
    items = parse(MARKED_PARAGRAPHS).items
    assert [(d.title, d.status_text, d.status) for d in items] == [
        ("Mira added the wiki and the blog to the monitored sites.", "DONE", Status.DONE),
        ("we need to watch systemd units so that a stopped service is noticed.", "TODO", Status.OPEN),
        (
            "the import job should check the free disk space before it downloads the dump.",
            "TODO",
            Status.OPEN,
        ),
    ]
    assert items[1].description == "A systemd exporter would let us alert on any failed unit."


def test_plain_lessons_without_a_marker_stay_prose() -> None:
    text = """# Outage

## Lessons learned

We should look at the disk graph before anything else.

**Note**: the graph is on the second dashboard.
"""
    assert titles(text) == []


def test_marked_paragraphs_import_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "tracker.toml").write_text('[database]\npath = "t.db"\n', encoding="utf-8")
    doc = tmp_path / "2026-02-11-proxy.md"
    doc.write_text(MARKED_PARAGRAPHS, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path / "tracker.toml"), "import", str(doc), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)["documents"]
    assert [(item["title"], item["status"]) for item in report["items"]] == [
        ("Mira added the wiki and the blog to the monitored sites.", "done"),
        ("we need to watch systemd units so that a stopped service is noticed.", "open"),
        ("the import job should check the free disk space before it downloads the dump.", "open"),
    ]


def test_render_keeps_the_marker_that_makes_a_paragraph_an_item(run_cli, db_url, workdir) -> None:
    doc = workdir / "2026-02-11-proxy.md"
    doc.write_text(MARKED_PARAGRAPHS, encoding="utf-8")
    run_cli.ok("import", str(doc))
    _wiki, systemd, disk = items(db_url, "2026-02-11-proxy")
    run_cli.ok("done", str(systemd.id))
    run_cli.ok("edit", str(disk.id), "--owner", "@kim")
    run_cli.ok("render", "2026-02-11-proxy", "--write", str(doc))
    assert doc.read_text(encoding="utf-8") == MARKED_PARAGRAPHS.replace(
        "**TODO**: we need to watch", "**Done**: we need to watch"
    ).replace("before it downloads the dump.", "before it downloads the dump. (owner: @kim)")
    report = run_cli.ok("import", str(doc))
    assert "0 new, 0 updated, 3 unchanged, 0 removed" in report.stdout
    assert [(i.id, i.status, i.owner_text) for i in items(db_url, "2026-02-11-proxy")] == [
        (_wiki.id, "done", None),
        (systemd.id, "done", None),
        (disk.id, "open", "@kim"),
    ]


# -- a bold priority in front of a task ----------------------------------------------------------


def test_a_bold_priority_in_front_is_not_the_items_label() -> None:
    text = """# Cluster reset

## Recovery TODO

- [ ] **CRITICAL:** Open the NAS web UI
- [ ] **Urgent**: List the iSCSI LUNs
- [ ] **Synology CSI**: deploy the driver again
"""
    assert titles(text) == [
        "CRITICAL: Open the NAS web UI",
        "Urgent: List the iSCSI LUNs",
        "Synology CSI",
    ]


# -- short time frames in the headings that group a checklist -------------------------------------


def test_short_time_frames_in_group_headings_are_deadlines() -> None:
    text = """# Cluster reset

## Follow-up TODO

### Immediate (Next 30min)
- [ ] Deploy the CNI

### Short-term (Next 2h)
- [ ] Recreate the volumes

### Medium-term (Next 24h)
- [ ] Redeploy every application

### Long-term (Next week)
- [ ] Write the recovery runbook

### Notes (in 2 places)
- [ ] Link the runbook from the wiki
"""
    items = parse(text).items
    assert [(d.title, d.deadline_text) for d in items] == [
        ("Deploy the CNI", "Next 30min"),
        ("Recreate the volumes", "Next 2h"),
        ("Redeploy every application", "Next 24h"),
        ("Write the recovery runbook", "Next week"),
        ("Link the runbook from the wiki", None),
    ]


# -- a table whose rows are wrapped over lines ----------------------------------------------------

WRAPPED_ROWS = """# Outage

## Action items

| Action | Owner | Due | Status |
| --- | --- | --- | --- |
| Add alerting on the disk usage of
the database hosts | Dana | 2026-03-01 | Open |
| Rotate the keys | Lee | 2026-03-05 | Done |
| Split the nightly job into
three smaller jobs, one
per region | Kim | 2026-04-01 | Open |

## Timeline

- 10:02 disk full
"""


def test_a_row_wrapped_over_lines_is_one_row() -> None:
    items = parse(WRAPPED_ROWS).items
    assert [(d.title, d.owner_text, d.deadline_text, d.status_text, d.line_span) for d in items] == [
        ("Add alerting on the disk usage of the database hosts", "Dana", "2026-03-01", "Open", (6, 8)),
        ("Rotate the keys", "Lee", "2026-03-05", "Done", (8, 9)),
        (
            "Split the nightly job into three smaller jobs, one per region",
            "Kim",
            "2026-04-01",
            "Open",
            (9, 12),
        ),
    ]


def test_without_outer_pipes_a_line_break_is_still_a_new_row() -> None:
    text = """# Outage

## Action items

Action | Owner
--- | ---
Add alerting | Dana
Rotate the keys | Lee
"""
    assert titles(text) == ["Add alerting", "Rotate the keys"]


def test_render_writes_a_wrapped_row_back_as_one_row(run_cli, db_url, workdir) -> None:
    doc = workdir / "2026-02-20-disk.md"
    doc.write_text(WRAPPED_ROWS, encoding="utf-8")
    run_cli.ok("import", str(doc))
    alerting, rotate, split = items(db_url, "2026-02-20-disk")
    run_cli.ok("done", str(alerting.id))
    run_cli.ok("render", "2026-02-20-disk", "--write", str(doc))
    assert doc.read_text(encoding="utf-8") == WRAPPED_ROWS.replace(
        "| Add alerting on the disk usage of\nthe database hosts | Dana | 2026-03-01 | Open |",
        "| Add alerting on the disk usage of the database hosts | Dana | 2026-03-01 | Done |",
    )
    before = counts(db_url)
    report = run_cli.ok("import", str(doc))
    # The same three items, unchanged; only the rows below the joined one moved up a line.
    assert "0 new, 0 updated, 3 unchanged, 0 removed" in report.stdout
    assert {k: v for k, v in counts(db_url).items() if k != "events"} == {
        k: v for k, v in before.items() if k != "events"
    }
    after = items(db_url, "2026-02-20-disk")
    assert [(i.id, i.title, i.source_line) for i in after] == [
        (alerting.id, alerting.title, 7),
        (rotate.id, rotate.title, 8),
        (split.id, split.title, 9),
    ]


# -- bullets beside an action table ----------------------------------------------------------------


def test_a_list_beside_an_action_table_is_more_items() -> None:
    text = """# Outage

## Action items

| Action | Owner | Due |
| --- | --- | --- |
| Add alerting on disk usage | Dana | 2026-03-01 |
| Rotate the keys | Lee | 2026-03-05 |

Also:

- Write a runbook for the failover
- Review the backup schedule with the DBA team
"""
    assert titles(text) == [
        "Add alerting on disk usage",
        "Rotate the keys",
        "Write a runbook for the failover",
        "Review the backup schedule with the DBA team",
    ]


def test_a_list_that_explains_the_tables_values_is_not_items() -> None:
    text = """# Outage

## Action items

Types:

* Prevent - stop the same failure from happening again
* Detect - notice it sooner

Priorities:

* **P0** - must be done before the next release
* P1: should be done this quarter

| Action | Type | Priority | Owner |
| --- | --- | --- | --- |
| Add a replay test for the WAL | Prevent | P0 | Dana |
| Alert on hash mismatches | Detect | P1 | Lee |
"""
    assert titles(text) == ["Add a replay test for the WAL", "Alert on hash mismatches"]


# -- a sub-heading that names a kind of follow-up work ---------------------------------------------


def test_a_kind_of_work_sub_heading_groups_its_items_among_heading_items() -> None:
    text = """# Outage

## Action items

### Add disk alerts

Page the on-call when a data disk is over 80% full; today nobody is told until it is full.

### Shard the session store

One store took every write during the peak; split it by tenant so one tenant cannot fill it.

### Mitigation

Add a circuit breaker in front of the payment provider.
"""
    assert titles(text) == [
        "Add disk alerts",
        "Shard the session store",
        "Add a circuit breaker in front of the payment provider.",
    ]


def test_kind_of_work_labels_over_nested_bullets_are_groups() -> None:
    text = """# Outage

## Action items

- **Prevention**:
  - Pin the dependency versions
- **Detection actions**:
  - Alert on config load failures
"""
    assert titles(text) == ["Pin the dependency versions", "Alert on config load failures"]
