"""Forms met in postmortems from organisations outside the examples, each read from a small document
written for the test (docs/import.md, "Checked on documents from other organisations")."""

from __future__ import annotations

from tracker.importing.parser import parse_document
from tracker.statuses import Status


def parse(text: str):
    return parse_document(text, "doc.md", set(), None, ())


def titles(text: str) -> list[str]:
    return [d.title for d in parse(text).items]


# -- a title heading whose words name actions ------------------------------------------------------

TITLE_WITH_ACTION_WORDS = """# Firewall rule preventing some inbound traffic

## Summary

A routing rule sent traffic for one path to the wrong service.

## Timeline

| Time | Event |
| --- | --- |
| 16:06 | Rule deployed |

## Action Items

- Add an integration test for the /api path
- Block conflicting routes with a policy engine

## Lessons Learned

- We need to improve our test coverage
- We should be more careful with end-of-day changes

## Attendees

- RF SC AN

## Stats

- Category: Networking
- Time to detection: 371 minutes
"""


def test_a_title_heading_with_action_words_does_not_swallow_the_document():
    assert titles(TITLE_WITH_ACTION_WORDS) == [
        "Add an integration test for the /api path",
        "Block conflicting routes with a policy engine",
    ]


def test_explain_says_why_the_title_is_not_read():
    candidates = parse(TITLE_WITH_ACTION_WORDS).candidates
    first = candidates[0]
    assert not first.taken and "title" in first.reason


def test_a_first_heading_that_is_the_action_list_is_still_read():
    text = "# Remediation\n\n- Rotate the signing keys\n- Add an expiry alarm\n"
    assert titles(text) == ["Rotate the signing keys", "Add an expiry alarm"]


def test_a_first_heading_over_plain_sub_headings_still_holds_the_items():
    text = (
        "# Follow-ups from the cache outage\n\n## Short-term\n\n- Add a memory alarm\n\n"
        "## Long-term\n\n- Shard the cache\n"
    )
    assert titles(text) == ["Add a memory alarm", "Shard the cache"]


# -- "done" as the sentence's own verb -------------------------------------------------------------


def test_done_after_be_is_part_of_the_sentence_not_a_status():
    text = "## Action Items\n\n- Document rollover process. Especially what can be done in case it goes bad\n"
    [item] = parse(text).items
    assert item.title == "Document rollover process. Especially what can be done in case it goes bad"
    assert item.status_text is None


def test_a_trailing_done_note_is_still_a_status():
    text = "## Action Items\n\n- Add a disk alarm - done in PR 12\n- Rotate the keys (done)\n"
    items = parse(text).items
    assert [d.title for d in items] == ["Add a disk alarm", "Rotate the keys"]
    assert [d.status for d in items] == [Status.DONE, Status.DONE]


# -- a status word linked to the work ---------------------------------------------------------------


def test_a_linked_status_label_in_front_is_the_status():
    text = (
        "### Remediation Items\n\n"
        "- [Done](https://example.org/acme/infra/commit/f8fe09f9):\n  add a lab environment for VPC changes.\n"
        "- [GH-104](https://github.com/acme/infra/issues/104): export journald logs to CloudWatch.\n"
    )
    items = parse(text).items
    assert [d.title for d in items] == [
        "add a lab environment for VPC changes.",
        "GH-104: export journald logs to CloudWatch.",
    ]
    assert [d.status for d in items] == [Status.DONE, None]


# -- an action table with no heading over it --------------------------------------------------------

UNHEADED_TABLE = """# Chain halt

**Status**: Resolved with outstanding action items.
**Root Causes**: Two compiler versions disagreed.

| Action Item | Type | Owner | Bug |
| --- | --- | --- | --- |
| Sync the compiler version across all nodes | Prevention | Core team | DONE |
| Check node versions before upgrades | Prevention | Core team | TODO |

## Lessons Learned

### What went well

* Validators answered quickly
"""


def test_a_table_whose_header_names_actions_needs_no_heading():
    items = parse(UNHEADED_TABLE).items
    assert [(d.title, d.owner_text, d.status_text) for d in items] == [
        ("Sync the compiler version across all nodes", "Core team", "DONE"),
        ("Check node versions before upgrades", "Core team", "TODO"),
    ]


def test_tables_that_do_not_name_actions_stay_unread_outside_action_sections():
    text = (
        "# Outage\n\n| Task | Owner | Status |\n| --- | --- | --- |\n| Page the on-call | Dana | done |\n\n"
        "## Impact\n\n| Action | Owner | Status |\n| --- | --- | --- |\n| Restarted the pods | Dana | done |\n\n"
        "| Service | Owner |\n| --- | --- |\n| api | Dana |\n"
    )
    assert titles(text) == []


def test_an_action_table_without_owner_status_or_deadline_columns_is_not_taken_alone():
    text = "# Outage\n\n| Action | Notes |\n| --- | --- |\n| Restarted the pods | at 10:02 |\n"
    assert titles(text) == []
