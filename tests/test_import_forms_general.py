"""Forms written from their definition rather than from one organisation's documents, each on a small
document written for the test; and that none of them is switched off when any organisation is held out."""

from __future__ import annotations

import pytest

from tracker.importing.parser import parse_document
from tracker.provenance import holding_out


def parse(text: str):
    return parse_document(text, "doc.md", set(), None, ())


def titles(text: str) -> list[str]:
    return [d.title for d in parse(text).items]


# -- a heading whose head noun is "action(s)" ---------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "Resulting Action",
        "Recommended actions",
        "Our team's actions",
        "Further actions (open)",
        "2. Agreed Actions",
    ],
)
def test_a_short_heading_whose_head_noun_is_actions_holds_items(heading):
    text = (
        f"# Queue outage\n\n## Summary\n\nThe queue filled.\n\n## {heading}\n\n- Cap the queue at 10k jobs\n"
    )
    assert titles(text) == ["Cap the queue at 10k jobs"]


@pytest.mark.parametrize(
    "heading", ["What we're changing", "What we will change", "Changes we've made", "Steps we took"]
)
def test_what_we_are_changing_names_actions_like_what_we_are_fixing(heading):
    text = (
        f"# Outage\n\n## What happened\n\nThe pool ran dry.\n\n## {heading}\n\n- Alert on pool exhaustion\n"
    )
    assert titles(text) == ["Alert on pool exhaustion"]


@pytest.mark.parametrize(
    "heading",
    [
        "Customer actions",
        "What users should do: user actions",
        "Call to action",
        "Incident response actions",
        "Recovery actions",
    ],
)
def test_actions_of_others_or_of_the_response_itself_are_not_an_action_section(heading):
    text = f"# Queue outage\n\n## {heading}\n\n- Clear the browser cache\n"
    assert titles(text) == []


def test_heading_items_under_a_heading_named_by_its_head_noun():
    text = (
        "# Disk full\n\n# Agreed Action\n\n#### 1) Rotate the archive `@ines`\n\nKeep seven days of WAL.\n\n"
        "#### 2) TODO Alert on disk use\n\nPage at 85%.\n"
    )
    drafts = parse(text).items
    assert [(d.title, d.owner_text, d.status_text) for d in drafts] == [
        ("Rotate the archive", "`@ines`", None),
        ("Alert on disk use", None, "TODO"),
    ]


def test_an_item_heading_with_a_todo_prefix_is_not_a_section_of_its_own():
    text = (
        "# Outage\n\n## Ideas\n\n### TODO Shard the session store\n\nWe need a plan for it before spring.\n"
    )
    assert titles(text) == []
    listed = "# Outage\n\n## TODO list\n\n- Shard the session store\n"
    assert titles(listed) == ["Shard the session store"]


def test_headings_marked_as_action_items_are_items_with_their_field_lines():
    text = (
        "# Outage\n\n## Action items\n\n### Action item 1: Add disk alerts\n\n**Owner:** Dana\n**Due:** 2026-05-01\n\n"
        "Alert when the data volume passes 85%.\n\n### Action item 2: Shard the session store\n\n"
        "One node holds every session.\n"
    )
    drafts = parse(text).items
    assert [(d.title, d.owner_text, d.deadline_text) for d in drafts] == [
        ("Add disk alerts", "Dana", "2026-05-01"),
        ("Shard the session store", None, None),
    ]
    assert drafts[0].description == "Alert when the data volume passes 85%."


def test_a_marked_item_heading_is_an_item_even_outside_an_action_section():
    text = (
        "# Outage\n\n## Root cause\n\nThe disk filled.\n\n### AI-1: Add disk alerts\n\nPage at 85%.\n\n"
        "### Follow-up 2 - Rotate the WAL archive\n\nKeep seven days.\n\n### Action: none\n\nNothing else.\n"
    )
    assert titles(text) == ["Add disk alerts", "Rotate the WAL archive"]


@pytest.mark.parametrize("heading", ["Action items: Database", "Follow-up: storage team"])
def test_a_marker_without_a_number_or_in_the_plural_names_a_group(heading):
    text = f"# Outage\n\n## {heading}\n\n- Add a replica lag alarm\n- Rehearse the failover\n"
    assert titles(text) == ["Add a replica lag alarm", "Rehearse the failover"]


@pytest.mark.parametrize("review", ["What went well", "Root cause", "Timeline", "Where we got lucky"])
def test_a_review_sub_heading_inside_an_action_section_holds_no_items(review):
    text = (
        f"# Outage\n\n## Lessons learned and improvements\n\n### {review}\n\n- Paging worked within a minute\n\n"
        "### What could be improved\n\n- Add a canary stage to deploys\n"
    )
    assert titles(text) == ["Add a canary stage to deploys"]


# -- lead-in sentences ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lead_in",
    [
        "The nightly job had deleted the rows. To stop a repeat, we will:",
        "So that this never happens again:",
        "We are committed to:",
        "Here is what we are doing to make sure this doesn't happen again:",
        "Going forward we will:",
    ],
)
def test_a_lead_in_sentence_in_other_words_introduces_actions(lead_in):
    text = (
        "# 2026-03-02 Token outage\n\nTokens stopped validating for an hour.\n\n"
        f"{lead_in}\n\n1. Archive rows before deleting them\n2. Page on validation errors\n"
    )
    assert titles(text) == ["Archive rows before deleting them", "Page on validation errors"]


@pytest.mark.parametrize(
    "lead_in",
    [
        "The rows were gone. We made two changes:",
        "We are making the following changes:",
        "We have also introduced a few fixes:",
        "The following fixes were implemented:",
        "A few additional safeguards will be put into place:",
        "These changes have been made:",
    ],
)
def test_a_sentence_saying_changes_are_made_introduces_them(lead_in):
    text = f"# Outage\n\n## Details of the fix\n\n{lead_in}\n\n1. Archive rows before deleting them\n"
    assert titles(text) == ["Archive rows before deleting them"]
    # The form, met in more than one organisation's documents: not hexpm's alone.
    with holding_out("hexpm"):
        assert titles(text) == ["Archive rows before deleting them"]


@pytest.mark.parametrize(
    ("heading", "sentence"),
    [
        ("Root cause", "The following changes were made to the pool that morning:"),
        ("Resolution", "We made two changes to restore service:"),
        ("Background", "The following measures were taken by the vendor:"),
    ],
)
def test_changes_told_as_part_of_the_incident_are_not_actions(heading, sentence):
    text = f"# Outage\n\n## {heading}\n\n{sentence}\n\n- Raised the pool size to 200\n- Lowered the timeout\n"
    assert titles(text) == []


def test_only_the_sentence_ending_in_the_colon_is_read_as_the_lead_in():
    text = (
        "# Outage\n\nWe will add an alarm for this later. The hosts that failed were:\n\n- cache-1 went down\n"
        "- cache-2 went down\n"
    )
    assert titles(text) == []


@pytest.mark.parametrize(
    "sentence",
    ["In this post we will cover:", "We took the following actions to restore service:"],
)
def test_a_sentence_announcing_an_outline_or_the_response_introduces_no_actions(sentence):
    text = f"# Outage\n\n{sentence}\n\n- Failed over the primary\n- Drained the queue\n"
    assert titles(text) == []


@pytest.mark.parametrize(
    "heading",
    ["Root cause", "Timeline", "Impact", "What went wrong", "Contributing factors", "Resolution"],
)
def test_a_lead_in_under_a_heading_describing_the_incident_introduces_no_actions(heading):
    text = (
        f"# Outage\n\n## {heading}\n\nThat morning we made several changes to the pool:\n\n"
        "- Raised the pool size to 200\n- Lowered the timeout to 2s\n"
    )
    assert titles(text) == []


# -- bold labels without a colon -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "title", "description"),
    [
        (
            "1. **Archive rows before deletion.** The cleanup job now copies each row it deletes.",
            "Archive rows before deletion.",
            "The cleanup job now copies each row it deletes.",
        ),
        (
            "- **Catch schema errors** In the profile hook, check the stored schema version first.",
            "Catch schema errors",
            "In the profile hook, check the stored schema version first.",
        ),
        ("- **Never** deploy on a Friday afternoon", "Never deploy on a Friday afternoon", None),
        ("- **Add alerting** to the replica lag", "Add alerting to the replica lag", None),
        ("- **Dana Lee** Rotate the signing keys", "Dana Lee Rotate the signing keys", None),
        ("- **High priority** Rotate the signing keys", "High priority Rotate the signing keys", None),
    ],
)
def test_a_bold_label_without_a_colon_is_the_title_when_a_sentence_follows(line, title, description):
    [draft] = parse(f"# Outage\n\n## Follow-ups\n\n{line}\n").items
    assert (draft.title, draft.description) == (title, description)


# -- none of these is any one organisation's -----------------------------------------------------------


@pytest.mark.parametrize("organisation", ["hachyderm", "hexpm", "posthog", "felvin-search", "cheqd"])
def test_the_general_forms_stay_on_whichever_organisation_is_held_out(organisation):
    text = (
        "# Outage\n\nThe disk filled. To prevent a repeat, we will:\n\n1. **Rotate the archive.** Seven days are kept.\n"
        "2. Page at 85% disk use\n\n## Resulting Action\n\n- Move logs to their own volume\n\n## Details\n\n"
        "We made four changes:\n\n- Archive rows before deletion\n"
    )
    expected = [
        "Rotate the archive.",
        "Page at 85% disk use",
        "Move logs to their own volume",
        "Archive rows before deletion",
    ]
    assert titles(text) == expected
    with holding_out(organisation):
        assert titles(text) == expected
