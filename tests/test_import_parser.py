"""The pure parser: sections, tables, lists, owners, deadlines, statuses, references and metadata."""

from __future__ import annotations

import pytest

from tracker.errors import InputError
from tracker.importing.fingerprints import fingerprint, normalise, similarity
from tracker.importing.markdown import parse_simple_yaml
from tracker.importing.parser import parse_document, slug_from_name
from tracker.importing.refs import find_refs
from tracker.importing.sections import heading_context, is_action_heading
from tracker.importing.tables import column_roles
from tracker.statuses import Status


def parse(body: str, projects: set[str] | None = None):
    return parse_document(body, "doc.md", projects or set())


def one(line: str, projects: set[str] | None = None):
    [item] = parse(f"# T\n\n## Action items\n\n{line}\n", projects).items
    return item


@pytest.mark.parametrize(
    "heading",
    [
        "Action Items",
        "Action items:",
        "5. Action items",
        "Follow-ups",
        "Follow-up actions",
        "Remediation",
        "Remediation items",
        "Corrective actions",
        "Corrective and Preventive Actions",
        "Next steps",
        "Lessons / to-do",
        "To-do",
        "TODOs",
        "Review actions",
        "Future improvements",
        "Actions planned",
        "Actions taken",
        "Long-term improvements",
        "Action plan",
        "Postmortem actions",
    ],
)
def test_action_headings(heading):
    assert is_action_heading(heading)


@pytest.mark.parametrize(
    "heading",
    [
        "Lessons learned",
        "Timeline",
        "What went wrong",
        "Resolution",
        "Impact",
        "Follow-up review",
        "Root cause",
    ],
)
def test_other_headings(heading):
    assert not is_action_heading(heading)


@pytest.mark.parametrize("level", ["#", "##", "###", "####", "#####", "######"])
def test_section_at_any_heading_level(level):
    document = parse(f"# T\n\n{level} Follow-ups\n\n- [ ] Fix it\n\n{level} Appendix\n\n- not an item\n")
    assert [i.title for i in document.items] == ["Fix it"]


def test_setext_heading_and_items_only_from_action_sections():
    text = "Title\n=====\n\nWhat went wrong\n---\n\n- Testing gaps\n\nNext steps\n---\n\n- Add a canary\n"
    assert [i.title for i in parse(text).items] == ["Add a canary"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Action Item", "Owner", "Deadline", "Status"],
            {"title": 0, "owner": 1, "deadline": 2, "status": 3},
        ),
        (["Action", "Assignee", "Due", "State"], {"title": 0, "owner": 1, "deadline": 2, "status": 3}),
        (["Task", "Who", "Due date", "Ticket"], {"title": 0, "owner": 1, "deadline": 2, "ref": 3}),
        (
            ["Item", "DRI", "ETA", "Issue", "Priority"],
            {"title": 0, "owner": 1, "deadline": 2, "ref": 3, "priority": 4},
        ),
        (
            ["Remediation", "Responsible", "Target date", "Tracking"],
            {"title": 0, "owner": 1, "deadline": 2, "ref": 3},
        ),
        (
            ["Description", "Owner", "By", "Link", "Type"],
            {"title": 0, "owner": 1, "deadline": 2, "ref": 3, "priority": 4},
        ),
        (["**Action**", "Bug"], {"title": 0, "ref": 1}),
    ],
)
def test_column_aliases(headers, expected):
    assert column_roles(headers) == expected


def test_table_status_words_and_emoji():
    rows = ["✅ Done", "🔲 Open", "In progress", "Won't do", "DONE", "", "n/a **TODO**"]
    table = "| Action | Status |\n| --- | --- |\n" + "".join(
        f"| Task {n} | {s} |\n" for n, s in enumerate(rows)
    )
    drafts = parse(f"# T\n\n## Action items\n\n{table}").items
    assert [d.status for d in drafts] == [
        Status.DONE,
        Status.OPEN,
        Status.IN_PROGRESS,
        Status.WONT_DO,
        Status.DONE,
        None,
        Status.OPEN,
    ]
    assert [d.status_text for d in drafts][-1] == "TODO"


def test_a_table_with_only_an_empty_row_has_no_items():
    assert parse("# T\n\n## Action Items\n\n| Action | Owner |\n| --- | --- |\n| | |\n").items == []


def test_markdown_is_kept_out_of_titles_but_kept_as_written():
    item = one("- [ ] Fix **the** [retry loop](https://x.example/a) in `client.py` _now_")
    assert item.title == "Fix the retry loop in client.py now"
    assert item.title_text == "Fix **the** [retry loop](https://x.example/a) in `client.py` _now_"


@pytest.mark.parametrize(
    ("line", "owner", "deadline", "title"),
    [
        ("- Add alerting @dana", "@dana", None, "Add alerting"),
        ("- Add alerting (owner: Dana W.)", "Dana W.", None, "Add alerting"),
        ("- Add alerting (Dana Whitfield)", "Dana Whitfield", None, "Add alerting"),
        ("- Add alerting (dana@corp.example)", "dana@corp.example", None, "Add alerting"),
        ("- Add alerting, due 2026-07-01", None, "2026-07-01", "Add alerting"),
        ("- Add alerting by Jul 15", None, "Jul 15", "Add alerting"),
        ("- Add alerting (Deadline: Aug 3)", None, "Aug 3", "Add alerting"),
        ("- Add alerting (owner: @dana, due: Aug 3)", "@dana", "Aug 3", "Add alerting"),
        ("- Add alerting — @dana, due Jul 1", "@dana", "Jul 1", "Add alerting"),
        ("- @dana: add alerting", "@dana", None, "add alerting"),
        ("- [SRE] Add alerting", "SRE", None, "Add alerting"),
        ("- SRE team to add alerting", "SRE team", None, "SRE team to add alerting"),
        ("- Shed load due to high CPU", None, None, "Shed load due to high CPU"),
        ("- Freeze deploys until 2026-07-01", None, None, "Freeze deploys until 2026-07-01"),
        ("- Add alerting (critical fix)", None, None, "Add alerting (critical fix)"),
    ],
)
def test_owners_and_deadlines_in_list_items(line, owner, deadline, title):
    item = one(line)
    assert (item.title, item.owner_text, item.deadline_text) == (title, owner, deadline)


def test_nested_owner_and_due_lines_belong_to_their_parent():
    text = "# T\n\n## Action items\n\n- Add alerting\n  - Owner: @dana\n  - Due: 2026-07-01\n  - Status: in progress\n"
    [item] = parse(text).items
    assert (item.owner_text, item.deadline_text, item.status) == ("@dana", "2026-07-01", Status.IN_PROGRESS)


def test_nested_tasks_are_items_nested_links_and_notes_are_not():
    text = (
        "# T\n\n## Action items\n\n- Fix the proxy (owner: @dana)\n  - Add a regression test\n"
        "  - https://github.com/acme/infra/issues/9\n  - Note: needs a maintenance window\n"
    )
    parent, child = parse(text).items
    assert child.title == "Add a regression test" and child.owner_text is None  # owners are not inherited
    assert [r.key for r in parent.refs] == ["acme/infra#9"]


@pytest.mark.parametrize(
    ("line", "status_text", "status"),
    [
        ("- [x] Rotate keys", "[x]", Status.DONE),
        ("- [ ] Rotate keys", "[ ]", Status.OPEN),
        ("- ✅ Rotate keys", "✅", Status.DONE),
        ("- Rotate keys ✔️", "✔️", Status.DONE),
        ("- Rotate keys - DONE in [PR 12](https://x.example/pull/12)", "DONE in PR 12", Status.DONE),
        ("- Rotate keys (PR exists)", "PR exists", Status.IN_PROGRESS),
        ("- Rotate keys (status: won't do)", "won't do", Status.WONT_DO),
        ("- In progress: rotate keys", "In progress", Status.IN_PROGRESS),
        ("- **DONE**: rotate keys", "DONE", Status.DONE),
    ],
)
def test_status_forms(line, status_text, status):
    item = one(line)
    assert (item.status_text, item.status) == (status_text, status)
    assert item.title.lower() == "rotate keys"


def test_heading_context_gives_status_and_deadline():
    assert heading_context("Immediate Actions (Completed)").status_text == "Completed"
    context = heading_context("In progress (next 2 weeks):")
    assert (context.status_text, context.deadline_text) == ("In progress", "next 2 weeks")
    assert (
        heading_context("Long-term Improvements (Target: Q4 2025 - Q1 2026)").deadline_text
        == "Q4 2025 - Q1 2026"
    )
    assert (
        heading_context("To complete before re-enabling ArgoCD sync").deadline_text
        == "before re-enabling ArgoCD sync"
    )
    assert heading_context("Short-term Improvements (Tracked in GitHub Issue #40885)").deadline_text is None


def test_references():
    text = (
        "see https://github.com/acme/infra/issues/12, acme/web#3, https://acme.atlassian.net/browse/OPS-4, "
        "OPS-5, ABC-6, BSD-3, https://github.com/acme/infra/pull/7"
    )
    refs = find_refs(text, {"OPS"})
    assert [(r.kind, r.key) for r in refs] == [
        ("github", "acme/infra#12"),
        ("github", "acme/web#3"),
        ("jira", "OPS-4"),
        ("jira", "OPS-5"),
    ]
    assert find_refs("Licensed BSD-3", {"BSD"}) == [find_refs("BSD-3", {"BSD"})[0]]  # only when configured
    assert find_refs("Licensed BSD-3", set()) == []


def test_metadata_from_front_matter_after_a_comment():
    text = "<!-- copied from the wiki -->\n---\nid: inc-7\ntitle: 'Disk full'\ndate: 2026-01-02\nseverity: SEV1\n---\n# X\n"
    meta = parse(text).meta
    assert (meta.slug, meta.title, str(meta.incident_date), meta.severity_text) == (
        "inc-7",
        "Disk full",
        "2026-01-02",
        "SEV1",
    )


def test_metadata_from_bold_lines_and_field_headings():
    meta = parse(
        "# Outage\n\n**Date:** January 14-19, 2026\n**Severity**: Critical\n\n## Duration\n\n3 hours\n"
    ).meta
    assert (str(meta.incident_date), meta.severity_text, meta.duration, meta.title) == (
        "2026-01-14",
        "Critical",
        "3 hours",
        "Outage",
    )


def test_a_timeline_table_is_not_metadata():
    meta = parse("# T\n\n| Date | Event |\n| --- | --- |\n| 2026-01-01 | deploy |\n").meta
    assert meta.incident_date is None


def test_malformed_documents_raise_with_file_and_line():
    with pytest.raises(InputError, match=r"doc.md:7: action-items table row has 3 cells"):
        parse("# T\n\n## Action items\n\n| Action | Owner |\n| --- | --- |\n| a | b | c |\n")
    with pytest.raises(InputError, match=r"doc.md:3: the incident date"):
        parse("# T\n\n**Date:** 2026-13-01\n")
    with pytest.raises(InputError, match="NUL"):
        parse("# T\x00")


def test_slugs_and_fingerprints():
    assert slug_from_name("/x/2026-06-19 Orders API.md") == "2026-06-19-orders-api"
    assert fingerprint("Add  **index** on orders!") == fingerprint("add index on orders")
    assert normalise("Add `index`, now.") == "add index now"
    assert similarity(normalise("Add an index on orders"), normalise("Add an index to orders")) >= 0.8
    assert similarity(normalise("Add alerting"), normalise("Remove the old pool code")) < 0.8


def test_front_matter_block_scalars_are_read_not_refused():
    """GitBook and Jekyll write long values as `key: >-` or `key: |` with indented lines."""
    doc = parse(
        "---\ntitle: Queue stall\ndescription: >-\n  Two lines that\n  fold into one.\nnotes: |\n"
        "  kept\n  apart\nseverity: major\n---\n\n# Queue stall\n\n## Action items\n\n- Add a lag alert\n"
    )
    assert doc.meta.title == "Queue stall" and doc.meta.severity_text == "major"
    front = parse_simple_yaml(doc.text.split("\n")[1:9])
    assert front["description"] == "Two lines that fold into one." and front["notes"] == "kept\napart"
    assert [item.title for item in doc.items] == ["Add a lag alert"]
