"""A table of tasks with their states or owners under a heading that announces the work still to do
("Still open", "Outstanding", "What's left") is the action list, though the heading names no actions
(docs/import.md, "What is read"). Read from small documents written for the test, through the parser
and the real CLI."""

from __future__ import annotations

import json

import pytest
from test_import_support import counts, items

from tracker.importing.parser import parse_document

STILL_OPEN = """# Moving the cluster store to a quorum

## What happened

The single server lost its disk and the cluster came back on three servers instead.

## Still open

| Item | Why | State |
|----|----|----|
| Test the virtual address after a reboot | Never exercised on this hardware. | Open |
| Rotate the join token | It was printed during the diagnosis. | In progress |
| Refresh the design document | Stale on addresses and devices. | Done |

## Where it landed

Three servers, one virtual address, nightly snapshots.
"""


def parse(text: str):
    return parse_document(text, "doc.md", set(), None, ())


def test_a_still_open_table_is_the_action_list() -> None:
    drafts = parse(STILL_OPEN).items
    assert [(d.title, d.status_text, d.status, d.section) for d in drafts] == [
        ("Test the virtual address after a reboot", "Open", "open", "Still open"),
        ("Rotate the join token", "In progress", "in_progress", "Still open"),
        ("Refresh the design document", "Done", "done", "Still open"),
    ]


@pytest.mark.parametrize(
    "heading",
    [
        "Outstanding",
        "Open",
        "Unresolved",
        "Still to do",
        "What's left",
        "What is still open",
        "Loose ends",
        "4. Not yet done",
        "Pending",
    ],
)
def test_headings_that_announce_work_still_to_do(heading: str) -> None:
    text = f"""# Outage

## {heading}

| Task | Owner |
| --- | --- |
| Add a disk alert | @dana |
"""
    assert [(d.title, d.owner_text) for d in parse(text).items] == [("Add a disk alert", "@dana")]


@pytest.mark.parametrize(
    "heading",
    ["Current state", "Findings", "Where it landed", "Services", "Open source components"],
)
def test_a_task_table_under_other_headings_is_not_read(heading: str) -> None:
    text = f"""# Outage

## {heading}

| Item | State |
| --- | --- |
| Disk on the primary | Open |
"""
    assert parse(text).items == []


def test_never_where_the_document_tells_the_incident() -> None:
    text = """# Outage

## Impact

### Still open

| Item | State |
| --- | --- |
| Orders placed during the outage | Open |

## Root cause

### Outstanding

| Task | Status |
| --- | --- |
| The nightly job that filled the disk | Open |
"""
    assert parse(text).items == []


@pytest.mark.parametrize(
    "header",
    [
        "| Item | Why |",  # no state, owner or deadline: a list of things, not tracked work
        "| Description | State |",  # findings tables describe things too
        "| Question | Owner |",
    ],
)
def test_the_table_must_list_tasks_and_track_them(header: str) -> None:
    text = f"""# Outage

## Still open

{header}
| --- | --- |
| Disk on the primary | Open |
"""
    assert parse(text).items == []


def test_explain_names_the_table_and_why(run_cli, workdir) -> None:
    doc = workdir / "2026-08-30-quorum.md"
    doc.write_text(STILL_OPEN, encoding="utf-8")
    result = run_cli.ok("import", str(doc), "--explain", "--format", "json")
    [report] = json.loads(result.stdout)["documents"]
    taken = [(s["line"], s["text"], s["reason"]) for s in report["sections"] if s["taken"]]
    assert taken == [
        (
            9,
            "Item | Why | State",
            "a table of tasks with states or owners under 'Still open', a heading announcing work still to do",
        )
    ]


def test_a_still_open_table_imports_and_renders_back(run_cli, db_url, workdir) -> None:
    doc = workdir / "2026-08-30-quorum.md"
    doc.write_text(STILL_OPEN, encoding="utf-8")
    result = run_cli.ok("import", str(doc), "--format", "json")
    [report] = json.loads(result.stdout)["documents"]
    assert not report["empty"] and not report["warnings"]
    assert [(i["title"], i["status"]) for i in report["items"]] == [
        ("Test the virtual address after a reboot", "open"),
        ("Rotate the join token", "in_progress"),
        ("Refresh the design document", "done"),
    ]
    test, rotate, _refresh = items(db_url, "2026-08-30-quorum")
    run_cli.ok("done", str(rotate.id))
    run_cli.ok("render", "2026-08-30-quorum", "--write", str(doc))
    assert doc.read_text(encoding="utf-8") == STILL_OPEN.replace(
        "during the diagnosis. | In progress |", "during the diagnosis. | Done |"
    )
    before = counts(db_url)
    again = run_cli.ok("import", str(doc))
    assert "0 new, 0 updated, 3 unchanged, 0 removed" in again.stdout
    assert counts(db_url) == before
    assert [(i.id, i.status) for i in items(db_url, "2026-08-30-quorum")][:2] == [
        (test.id, "open"),
        (rotate.id, "done"),
    ]
