"""Each form a postmortem uses to hold action items, read from a small document written for the test."""

from __future__ import annotations

import pytest

from tracker.importing.parser import parse_document
from tracker.provenance import holding_out
from tracker.statuses import Status


def parse(text: str, extra: tuple[str, ...] = ()):
    return parse_document(text, "doc.md", set(), None, extra)


def titles(text: str, extra: tuple[str, ...] = ()) -> list[str]:
    return [d.title for d in parse(text, extra).items]


# -- where the items are ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "What we are doing about it",
        "What we're doing about it",
        "Looking forward",
        "Going forward",
        "Lessons learned and improvements",
        "Actions planned",
        "Immediate",
        "Long-term",
        "The following two weeks",
        "Preventing a repeat",
        "Recommendations",
        "Fixes and improvements",
        "What's next",
        "Post-incident tasks",
        "Tickets filed",
        "Areas for improvement",
        "Mitigation plan",
    ],
)
def test_headings_that_name_actions_in_other_words(heading):
    text = f"# Cache outage\n\n## Summary\n\nThe cache fell over.\n\n## {heading}\n\n- Add a memory alarm to the cache hosts\n"
    assert titles(text) == ["Add a memory alarm to the cache hosts"]


@pytest.mark.parametrize(
    "heading", ["Timeline", "Root cause", "Impact", "What went wrong", "Lessons learned"]
)
def test_sections_that_never_hold_items(heading):
    assert titles(f"# Outage\n\n## {heading}\n\n- The queue filled up at noon\n") == []


def test_a_follow_up_entry_inside_a_timeline_is_an_event():
    text = (
        "# Outage\n\n## Timeline\n\n### 09:10 Follow-up call\n\n- Paged the storage team\n\n"
        "### 2026-03-02 Next steps\n\n- Decided to fail over\n\n## Next steps\n\n- Write the failover runbook\n"
    )
    assert titles(text) == ["Write the failover runbook"]


def test_a_team_names_its_own_section_in_the_config():
    text = "# Outage\n\n## Homework\n\n- Rotate the signing keys\n"
    assert titles(text) == []
    assert titles(text, ("homework",)) == ["Rotate the signing keys"]


def test_a_bold_pseudo_heading_starts_an_action_list():
    text = (
        "# Outage\n\nThe disk filled.\n\n**Actions planned:**\n\n- Alert at 80% disk use\n"
        "- Move logs to their own volume\n\n**Notes:**\n\n- The disk was 2 TB\n"
    )
    assert titles(text) == ["Alert at 80% disk use", "Move logs to their own volume"]


def test_a_bold_only_line_exported_as_a_heading_starts_an_action_list():
    text = "# Outage\n\nThe disk filled.\n\n**Action Items**\n\n- Alert at 80% disk use\n\n**Notes**\n\n- The disk was 2 TB\n"
    assert titles(text) == ["Alert at 80% disk use"]


def test_a_lead_in_sentence_introduces_the_actions_below_it():
    text = (
        "# Outage\n\nThe cron job stopped renewing certificates.\n\n"
        "Some possible actions in the future:\n\n1. Renew certificates from our own job\n2. Page on expiry within 14 days\n\n"
        "The affected hosts were:\n\n- web-1\n- web-2\n"
    )
    assert titles(text) == ["Renew certificates from our own job", "Page on expiry within 14 days"]


def test_a_bold_labelled_bullet_introducing_a_nested_list_is_a_group():
    text = (
        "# Outage\n\n## Remediation\n\n- **Review actions**:\n  - Add a canary stage to deploys\n"
        "  - Require two approvals for config changes\n"
        "- **Actions taken**:\n  - Rolled back the bad config\n"
    )
    drafts = parse(text).items
    assert [d.title for d in drafts] == [
        "Add a canary stage to deploys",
        "Require two approvals for config changes",
        "Rolled back the bad config",
    ]
    assert [d.status for d in drafts] == [None, None, Status.DONE]


def test_heading_items_with_prose_bodies():
    text = (
        "# Outage\n\n## Follow-up work\n\n"
        "#### 1) Add disk alerts `@lena` [detect]\n\nAlert when the data volume passes 85%.\n\n"
        "#### 2) TODO Shard the session store\n\nOne node holds every session today, which is why it fell over.\n\n"
        "```\nsessions: 1\n```\n\n"
        "#### 3) Write the incident runbook\n\n`@omar` and `@lena` drafting it this week.\n"
    )
    drafts = parse(text).items
    assert [(d.title, d.owner_text, d.status_text, d.kind) for d in drafts] == [
        ("Add disk alerts", "`@lena`", None, "heading"),
        ("Shard the session store", None, "TODO", "heading"),
        ("Write the incident runbook", "`@omar` and `@lena`", None, "heading"),
    ]
    assert drafts[0].priority == "detect"
    assert drafts[1].description and "One node holds every session" in drafts[1].description


def test_sub_headings_over_lists_are_groups_not_items():
    text = (
        "# Outage\n\n## Corrective actions\n\n### Short-term (Completed)\n\n- Raise the pool size\n\n"
        "### Long-term (Proposed or Planned)\n\n- Move reads to a replica\n"
    )
    drafts = parse(text).items
    assert [(d.title, d.status_text) for d in drafts] == [
        ("Raise the pool size", "Completed"),
        ("Move reads to a replica", "Proposed or Planned"),
    ]


def test_plain_lines_without_markers_are_one_item_a_line():
    text = "# Outage\n\n## Next steps\n\nAdd retries to the uploader\nCap the queue at 10k jobs\nDocument the replay tool\n"
    assert titles(text) == [
        "Add retries to the uploader",
        "Cap the queue at 10k jobs",
        "Document the replay tool",
    ]


def test_short_paragraphs_are_one_item_a_paragraph_but_long_prose_is_not():
    short = (
        "# Outage\n\n## Follow-ups\n\nAdd a lag alarm to the replica.\n\nRehearse the failover every quarter.\n\n"
        "We apologise for the disruption.\n\nAll action items are tracked in Jira.\n\n[Jira board](https://jira.example/b/1)\n"
    )
    assert titles(short) == ["Add a lag alarm to the replica.", "Rehearse the failover every quarter."]
    wrapped = (
        "# Outage\n\n## Follow-ups\n\nWe looked at the replica and found that it had fallen behind by an hour\n"
        "because the disk was slow. It caught up later. We think the disk was the cause. Nobody was paged.\n"
    )
    assert titles(wrapped) == []


def test_a_section_that_says_it_has_none():
    for body in ("N/A", "No actions.", "- None", "No further action items at this time."):
        parsed = parse(f"# Blip\n\n## Action items\n\n{body}\n")
        assert parsed.items == [] and parsed.none_stated, body
    assert not parse("# Blip\n\n## Summary\n\nIt was short.\n").none_stated


def test_single_tokens_in_a_list_name_things_not_actions():
    text = "# Outage\n\n## Remediation\n\nWe deleted these records:\n\n- `old-cname`\n- legacy.example.org\n"
    assert titles(text) == []


def test_nested_bullets_after_a_detail_lead_in_describe_their_parent():
    text = (
        "# Outage\n\n## Actions\n\n- Ops to write a paging guide, something like a doc with:\n"
        "  - Who gets paged first\n  - When to escalate\n- Look into whether we could:\n"
        "  - Retry failed uploads\n"
    )
    assert titles(text) == [
        "Ops to write a paging guide, something like a doc with:",
        "Look into whether we could:",
        "Retry failed uploads",
    ]


def test_a_form_shaped_by_one_organisation_is_off_while_it_is_held_out():
    text = "# Outage\n\n## Actions\n\n- Ops to write a guide with:\n  - Who gets paged first\n"
    assert len(parse(text).items) == 1
    with holding_out("govuk-one-login"):
        assert len(parse(text).items) == 2


# -- placeholders -----------------------------------------------------------------------------------


def test_template_placeholders_never_become_items():
    text = (
        "# [Title]\n\n## Action items\n\n| Action | Owner | Due |\n| --- | --- | --- |\n"
        "| [Action] | @owner | YYYY-MM-DD |\n| Add a canary stage | @owner | YYYY-MM-DD |\n\n"
        "- [ ] <describe the action>\n"
    )
    [draft] = parse(text).items
    assert (draft.title, draft.owner_text, draft.deadline_text) == ("Add a canary stage", None, None)


# -- owners, deadlines and statuses written inline --------------------------------------------------


@pytest.mark.parametrize(
    ("line", "owner", "deadline"),
    [
        ("- Priya to add a lag alarm", "Priya", None),
        ("- Priya and Tom to rehearse the failover", "Priya and Tom", None),
        ("- @tom will rotate the keys", "@tom", None),
        ("- Rotate the keys. @tom will pair with security on it.", "@tom", None),
        ("- Rotate the keys (owner: @tom, due 2026-04-01)", "@tom", "2026-04-01"),
        ("- Rotate the keys — owner: @tom, due 2026-04-01", "@tom", "2026-04-01"),
        ("- Rotate the keys (Tom Berg, by 2026-04-01)", "Tom Berg", "2026-04-01"),
        ("- Rotate the keys (Tom, 2026-04-01)", "Tom", "2026-04-01"),
        ("- Rotate the keys — Tom Berg, by 2026-04-01", "Tom Berg", "2026-04-01"),
        ("- Rotate the keys — @tom — 2026-04-01", "@tom", "2026-04-01"),
        ("- Rotate the keys [owner: @tom] [due: 2026-04-01]", "@tom", "2026-04-01"),
        ("- Rotate the keys\n  **Owner:** Tom\n  **Due:** 2026-04-01", "Tom", "2026-04-01"),
        ("- [P1] Tom to rotate the keys", "Tom", None),
        ("- Need to rotate the keys", None, None),
        ("- Migrate Redis to cluster mode", None, None),
        ("- Upgrade to the latest driver", None, None),
    ],
)
def test_inline_owners_and_deadlines(line, owner, deadline):
    [draft] = parse(f"# T\n\n## Action items\n\n{line}\n").items
    assert (draft.owner_text, draft.deadline_text) == (owner, deadline)


def test_a_priority_tag_is_a_priority_not_a_team():
    [draft] = parse("# T\n\n## Action items\n\n- [P1] Rotate the keys\n").items
    assert (draft.title, draft.owner_text, draft.priority) == ("Rotate the keys", None, "P1")


def test_an_owner_cell_with_a_deadline_is_an_owner_and_a_deadline():
    text = "# T\n\n## Action items\n\n| Action | Owner |\n| --- | --- |\n| Rotate the keys | @marco, due 2026-03-05 |\n"
    [draft] = parse(text).items
    assert (draft.owner_text, draft.deadline_text) == ("@marco", "2026-03-05")


def test_a_deadline_column_named_in_other_words():
    text = "# T\n\n## Action items\n\n| Task | Expected completion |\n| --- | --- |\n| Rotate the keys | 2026-03-05 |\n"
    [draft] = parse(text).items
    assert draft.deadline_text == "2026-03-05"


def test_work_already_done_under_an_actions_taken_heading():
    text = "# T\n\n## Actions taken\n\n- Rolled back the deploy\n- Purged the CDN cache\n"
    assert [d.status for d in parse(text).items] == [Status.DONE, Status.DONE]


@pytest.mark.parametrize(
    ("line", "title", "owner", "status"),
    [
        ("- Drain the queue - done in PR 12", "Drain the queue", None, Status.DONE),
        ("- Drain the queue (in progress)", "Drain the queue", None, Status.IN_PROGRESS),
        ("- Drain the queue WONTDO", "Drain the queue", None, Status.WONT_DO),
        ("- Drain the queue. Completed as of 2026-02-14", "Drain the queue", None, Status.DONE),
        ("- **DONE**: Drain the queue", "Drain the queue", None, Status.DONE),
        ("- ~~Drain the queue~~", "Drain the queue", None, Status.DONE),
        ("- Drain the queue **JD**", "Drain the queue", "JD", None),
        ("- Drain the queue `@tom`", "Drain the queue", "`@tom`", None),
        ("- [SRE] Drain the queue", "Drain the queue", "SRE", None),
    ],
)
def test_inline_statuses_and_owners(line, title, owner, status):
    [draft] = parse(f"# T\n\n## Action items\n\n{line}\n").items
    assert (draft.title, draft.owner_text, draft.status) == (title, owner, status)


def test_a_bold_owner_line_owns_the_bullets_below_it():
    text = (
        "# T\n\n## Action items\n\n**Owner: Dana Lee**\n\n- Drain the queue\n- Cap batches\n\n**@tom**\n\n"
        "- Page on lag\n\n**Key Takeaways**\n\n- Shard the queue\n\n### Storage team\n\n- Grow the volume\n"
    )
    assert [(d.title, d.owner_text) for d in parse(text).items] == [
        ("Drain the queue", "Dana Lee"),
        ("Cap batches", "Dana Lee"),
        ("Page on lag", "@tom"),
        ("Shard the queue", None),
        ("Grow the volume", "Storage team"),
    ]


def test_lessons_written_as_headings_when_there_is_no_action_section():
    text = (
        "# Upgrade halt\n\n## Lessons learnt\n\n### 1. Rehearse upgrades on a mainnet copy\n\n"
        "Going forward we will rehearse every upgrade.\n\n### 2. Never upgrade on a Monday\n\nFrom now on we upgrade mid-week.\n"
    )
    assert titles(text) == ["Rehearse upgrades on a mainnet copy", "Never upgrade on a Monday"]
    review = "# Upgrade halt\n\n## Lessons learned\n\n### What went well\n\nFast paging.\n\n### What went wrong\n\nSlow fix.\n"
    assert titles(review) == []
    with_actions = text + "\n## Action items\n\n- Add a halt alarm\n"
    assert titles(with_actions) == ["Add a halt alarm"]


def test_a_sub_heading_without_a_list_has_its_short_paragraph_as_an_item():
    text = (
        "# Search outage\n\n## Action items\n\nWe grouped the work by kind.\n\n### Detection\n\n"
        "- Alert on empty search results\n\n### Process\n\nReview the reindex runbook with on-call.\n"
    )
    assert titles(text) == ["Alert on empty search results", "Review the reindex runbook with on-call."]


def test_a_dated_done_note_in_parentheses_is_the_status():
    [draft] = parse("# T\n\n## Next steps\n\n- @ben: clean up old artifacts (done 2026-01-10)\n").items
    assert (draft.title, draft.owner_text, draft.status) == ("clean up old artifacts", "@ben", Status.DONE)


def test_numbered_action_item_paragraphs_with_field_lines():
    text = (
        "# T\n\n## Follow-ups\n\n**Action item 1:** Add alerting on lag\n**Owner:** Dana\n**Due:** 2026-03-01\n\n"
        "**AI-2**: Cap the queue (owner: @tom)\n"
    )
    assert [(d.title, d.owner_text, d.deadline_text) for d in parse(text).items] == [
        ("Add alerting on lag", "Dana", "2026-03-01"),
        ("Cap the queue", "@tom", None),
    ]
