"""Forms written without the markup a reader relies on elsewhere: a heading's words on a plain line, a status
on a plain line, actions written as their tickets, a template's "... another item" row, and lessons whose
bodies commit to work. Each on a small document written for the test."""

from __future__ import annotations

import pytest

from tracker.importing.parser import parse_document
from tracker.provenance import holding_out
from tracker.statuses import Status


def parse(text: str):
    return parse_document(text, "doc.md", set(), None, ())


def titles(text: str) -> list[str]:
    return [d.title for d in parse(text).items]


# -- a heading's words on a plain line over a list ------------------------------------------------------


@pytest.mark.parametrize("line", ["Action Items", "Follow-up actions", "Next steps", "Corrective actions"])
def test_a_plain_line_naming_actions_over_a_list_is_a_heading(line):
    text = (
        "# Certificate expired\n\n## Detection\n\nUsers told us.\n\n"
        f"{line}\n- Alert on certificates expiring within 14 days\n\n- Document the renewal\n\n## Lessons Learned\n\n"
        "- Know all your certificates\n"
    )
    assert titles(text) == ["Alert on certificates expiring within 14 days", "Document the renewal"]
    [candidate] = [c for c in parse(text).candidates if c.text == line]
    assert candidate.taken and "a line naming actions" in candidate.reason


@pytest.mark.parametrize(
    "line",
    [
        "Affected hosts",  # names no actions
        "We fixed the follow-up actions quickly",  # a sentence, not a heading's words
        "Next steps.",  # ends like a sentence
    ],
)
def test_other_plain_lines_over_a_list_introduce_no_actions(line):
    text = f"# Outage\n\n## Detection\n\nPaging worked.\n\n{line}\n- cache-1 went down\n- cache-2 went down\n"
    assert titles(text) == []


# -- a status on a plain line ---------------------------------------------------------------------------


def test_a_plain_status_line_gives_the_status_of_the_items_below_it():
    text = (
        "# Exploit\n\n## Remediation\n\nCompleted:\n\n- Pool halted.\n- Trace analysis written.\n\n"
        "In progress:\n\n- Reimburse the affected LPs\n"
    )
    items = parse(text).items
    assert [(d.title, d.status_text) for d in items] == [
        ("Pool halted.", "Completed"),
        ("Trace analysis written.", "Completed"),
        ("Reimburse the affected LPs", "In progress"),
    ]
    assert [d.status for d in items] == [Status.DONE, Status.DONE, Status.IN_PROGRESS]


def test_a_line_that_is_not_only_a_status_sets_nothing():
    text = "# Exploit\n\n## Remediation\n\nDone so far by the team:\n\n- Pool halted.\n"
    [item] = parse(text).items
    assert item.status_text is None


# -- actions written as their tickets -------------------------------------------------------------------


@pytest.mark.parametrize(
    "ticket",
    ["https://github.com/acme/node/issues/95", "acme/node#97", "#2127", "OPS-104"],
)
def test_a_top_level_bullet_that_is_only_a_ticket_is_an_item(ticket):
    text = f"# Testnet halt\n\n## Action Items\n\n* {ticket}\n* Validate reward parameters on proposal\n"
    assert titles(text) == [ticket, "Validate reward parameters on proposal"]


def test_a_ticket_nested_under_an_item_belongs_to_it_and_a_named_link_is_no_item():
    text = (
        "# Outage\n\n## Action Items\n\n- Add a replica lag alarm\n  - https://github.com/acme/node/issues/12\n"
        "- [Runbook](https://wiki.example/runbook)\n"
    )
    [item] = parse(text).items
    assert item.title == "Add a replica lag alarm"
    assert [ref.key for ref in item.refs] == ["acme/node#12"]


# -- a template's placeholder rows ------------------------------------------------------------------------


@pytest.mark.parametrize("row", ["... another item", "… more", "...and more items"])
def test_a_placeholder_row_left_from_the_template_is_no_item(row):
    text = (
        "# Release post-mortem\n\n## Action Items\n\n| Action Item | Owner | Reference |\n| --- | --- | --- |\n"
        f"| Write the release process | ??? | **TODO** |\n| {row} | ?? | **TODO** |\n"
    )
    assert titles(text) == ["Write the release process"]


# -- lessons whose bodies commit to work --------------------------------------------------------------------

LESSONS = """# v1 upgrade RCA

## Summary

The upgrade halted the chain for two hours.

## Lessons learnt

### 1. Testnet checks and snapshots

Going forward we will take a full snapshot before every upgrade.

### 2. Upgrades should not take place on Mondays

This one was on a Monday, which we'll avoid in future.

### 3. The validators were quick

Most validators upgraded within ten minutes of the halt height.
"""


def test_lesson_headings_are_items_only_when_their_bodies_commit_to_work():
    assert titles(LESSONS) == ["Testnet checks and snapshots", "Upgrades should not take place on Mondays"]


def test_lessons_told_as_a_story_are_no_items():
    story = LESSONS.replace("Going forward we will take", "We took").replace(
        "which we'll avoid in future", "which was unusual"
    )
    assert titles(story) == []


def test_lessons_as_headings_stay_cheqds_form():
    with holding_out("cheqd"):
        assert titles(LESSONS) == []
