"""Forms from the third check on postmortems of other organisations (docs/import.md): a status checklist
restating the items above, a status inside a link's text, template slots, notes under checklist boxes,
an assurance that names no work. Each is read from a small document written for the test."""

from __future__ import annotations

import json

import pytest

from tracker.importing.parser import parse_document
from tracker.statuses import Status


def parse(text: str):
    return parse_document(text, "doc.md", set(), None, ())


def titles(text: str) -> list[str]:
    return [d.title for d in parse(text).items]


# -- a later status checklist restating the items ----------------------------------------------------

TABLE_THEN_CHECKLIST = """# Certificate lost on the proxy

## Follow-up Actions

| Action Item | Owner | Status |
| --- | --- | --- |
| Alert on certificate expiry for every public host | @kim | open |
| Back up the proxy data volume before any recreate | @kim | open |
| Rotate the proxy admin password | @lee | open |

## Action Items Status

- [ ] Certificate expiry alerting
- [x] Proxy data backup
- [ ] Admin password rotation
"""


def test_a_status_checklist_restating_the_table_adds_no_items():
    items = parse(TABLE_THEN_CHECKLIST).items
    assert [d.title for d in items] == [
        "Alert on certificate expiry for every public host",
        "Back up the proxy data volume before any recreate",
        "Rotate the proxy admin password",
    ]
    assert [d.owner_text for d in items] == ["@kim", "@kim", "@lee"]


def test_the_checklist_gives_the_status_when_it_says_something_new():
    items = parse(TABLE_THEN_CHECKLIST).items
    # The ticked box is news (done); the open boxes say what "open" already says, kept as written.
    assert [d.status_text for d in items] == ["open", "[x]", "open"]
    assert [d.status for d in items] == [Status.OPEN, Status.DONE, Status.OPEN]


def test_a_checklist_of_the_table_is_folded_under_any_heading():
    text = TABLE_THEN_CHECKLIST.replace("## Action Items Status", "## Next steps")
    assert len(parse(text).items) == 3


def test_two_action_lists_of_the_same_length_stay_two_lists():
    text = (
        "# Queue backlog\n\n## Short-term actions\n\n- Add a queue depth alert\n- Raise the worker limit\n\n"
        "## Long-term actions\n\n- Shard the queue by tenant\n- Move the workers to autoscaling\n"
    )
    assert len(titles(text)) == 4


def test_a_status_list_of_other_work_is_not_folded():
    text = TABLE_THEN_CHECKLIST.replace(
        "- [ ] Certificate expiry alerting\n- [x] Proxy data backup\n- [ ] Admin password rotation\n",
        "- [ ] Upgrade the database driver\n- [x] Document the failover runbook\n- [ ] Review the on-call rota\n",
    )
    assert len(parse(text).items) == 6


def test_the_folded_document_imports_each_item_once(run_cli, workdir):
    doc = workdir / "proxy.md"
    doc.write_text(TABLE_THEN_CHECKLIST, encoding="utf-8")
    result = run_cli("import", str(doc), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    [document] = json.loads(result.stdout)["documents"]
    assert len(document["items"]) == 3
    again = run_cli.ok("import", str(doc)).stdout
    assert "3 unchanged" in again


# -- a status written inside the text of a link -------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "status"),
    [("[GH-101 (Done)]", Status.DONE), ("[OPS-7 (in progress)]", Status.IN_PROGRESS), ("[GH-9]", None)],
)
def test_a_status_inside_a_link_text_is_the_status(link, status):
    text = (
        f"## Remediation Items\n\n- {link}(https://example.org/acme/infra/pull/101): add a management VPC\n"
    )
    [item] = parse(text).items
    assert item.status == status
    assert item.title.endswith(": add a management VPC")


def test_a_status_word_inside_a_link_that_is_part_of_the_sentence_is_not_read():
    text = "## Action items\n\n- Read [how it was done](https://example.org/howto) before the migration\n"
    [item] = parse(text).items
    assert item.status is None


# -- template slots left unfilled -------------------------------------------------------------------


def test_template_literal_slots_are_not_items():
    text = (
        "# Token logged\n\n## Action Items\n\n"
        "- [ ] ${first item to help make this not happen again}\n- [ ] ${...}\n"
    )
    document = parse(text)
    assert document.items == []


def test_a_dollar_amount_in_braces_is_still_an_item():
    assert titles("## Action items\n\n- Refund the ${amount} charged twice to each customer\n") == [
        "Refund the ${amount} charged twice to each customer"
    ]


# -- notes under checklist boxes --------------------------------------------------------------------

CHECKLIST_WITH_NOTES = """## Action Items

- [ ] Monitor the number of workers created per hour? Alert on low numbers?
  - Is this already a tracked metric? If not, how do we get it?
- [ ] Crash the provisioner if the loop stalls repeatedly
  - work is tracked here: https://github.com/acme/infra/issues/5003
"""


def test_plain_bullets_under_checklist_boxes_are_their_notes():
    items = parse(CHECKLIST_WITH_NOTES).items
    assert [d.title for d in items] == [
        "Monitor the number of workers created per hour? Alert on low numbers?",
        "Crash the provisioner if the loop stalls repeatedly",
    ]
    assert items[0].description == "Is this already a tracked metric? If not, how do we get it?"


def test_boxed_sub_tasks_under_a_box_are_still_items():
    text = (
        "## Action Items\n\n- [ ] Harden the provisioner\n  - [ ] Add a watchdog\n  - [x] Log loop stalls\n"
    )
    assert titles(text) == ["Harden the provisioner", "Add a watchdog", "Log loop stalls"]


def test_sub_bullets_under_plain_bullets_keep_their_reading():
    text = "## Action Items\n\n- Harden the provisioner\n  - Add a watchdog\n  - Log loop stalls\n"
    assert titles(text) == ["Harden the provisioner", "Add a watchdog", "Log loop stalls"]


# -- an assurance that names no work ----------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "The team has rectified the issue and will prevent such incidents occurring in the future.",
        "We will ensure that such incidents do not happen again.",
        "We have fixed the bug. We will make sure it does not happen again.",
    ],
)
def test_a_prose_assurance_that_names_no_work_is_not_an_item(sentence):
    text = f"# Fee set wrong in the upgrade\n\n## Recommendations:\n\n{sentence}\n"
    assert titles(text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "We will add a check of fee parameters to the upgrade tests to prevent such incidents.",
        "We will ensure that the same issue is caught by CI.",
    ],
)
def test_a_prose_commitment_that_names_work_is_still_an_item(sentence):
    text = f"# Fee set wrong in the upgrade\n\n## Recommendations:\n\n{sentence}\n"
    assert titles(text) == [sentence]
