"""A bullet that is only a Markdown link to an issue is an action item written as that issue: the link's
text is the title and the issue is the item's reference (docs/import.md, "Bullet, numbered and checkbox
lists"). Read from small documents written for the test, through the parser and the real CLI."""

from __future__ import annotations

import json

from test_import_support import TARGETS, counts, items

from tracker.importing.parser import parse_document

LINKED = """# Logging outage

## Summary

Logs from the live cluster stopped reaching the search cluster for two days.

## Action items

- [Investigate fluent-bit memory growth](https://github.com/acme/infra/issues/123)
- [Alert when no logs arrive for ten minutes](https://github.com/acme/infra/issues/124).
- [Document the log pipeline](https://acme.atlassian.net/browse/OPS-41)
- [Upstream the buffer fix](https://github.com/other/repo/issues/9)
"""


def parse(text: str, jira: set[str] | None = None):
    return parse_document(text, "doc.md", jira or set(), None, ())


def test_link_only_bullets_are_items_titled_by_their_text_and_linked_to_their_issue() -> None:
    drafts = parse(LINKED).items
    assert [(d.title, [r.key for r in d.refs]) for d in drafts] == [
        ("Investigate fluent-bit memory growth", ["acme/infra#123"]),
        ("Alert when no logs arrive for ten minutes.", ["acme/infra#124"]),
        ("Document the log pipeline", ["OPS-41"]),
        ("Upstream the buffer fix", ["other/repo#9"]),
    ]
    # The title as written keeps the link, so `tracker render` finds the bullet again.
    assert (
        drafts[0].title_text
        == "[Investigate fluent-bit memory growth](https://github.com/acme/infra/issues/123)"
    )


def test_behind_a_checkbox_or_in_bold_the_link_is_still_the_item() -> None:
    text = """# Outage

## Follow-ups

- [ ] [Investigate fluent-bit memory growth](https://github.com/acme/infra/issues/123)
- [x] [Pin the fluent-bit version](https://github.com/acme/infra/issues/124)
- **[Alert on dropped chunks](https://github.com/acme/infra/issues/125)**
1. [Document the log pipeline](https://github.com/acme/infra/issues/126)
"""
    drafts = parse(text).items
    assert [(d.title, d.status, [r.key for r in d.refs]) for d in drafts] == [
        ("Investigate fluent-bit memory growth", "open", ["acme/infra#123"]),
        ("Pin the fluent-bit version", "done", ["acme/infra#124"]),
        ("Alert on dropped chunks", None, ["acme/infra#125"]),
        ("Document the log pipeline", None, ["acme/infra#126"]),
    ]


def test_links_to_anything_but_an_issue_stay_notes() -> None:
    text = """# Outage

## Follow-ups

- [Runbook](https://wiki.example.org/runbooks/logging)
- [The fix](https://github.com/acme/infra/pull/77)
- [Dashboard](https://grafana.example.org/d/logs)
- Rotate the ingest credentials
"""
    assert [d.title for d in parse(text).items] == ["Rotate the ingest credentials"]


def test_a_nested_issue_link_still_belongs_to_its_parent() -> None:
    text = """# Outage

## Action items

- Add a buffer limit to fluent-bit
  - [Tracking issue](https://github.com/acme/infra/issues/55)
- [Alert on dropped chunks](https://github.com/acme/infra/issues/56)
"""
    drafts = parse(text).items
    assert [(d.title, [r.key for r in d.refs]) for d in drafts] == [
        ("Add a buffer limit to fluent-bit", ["acme/infra#55"]),
        ("Alert on dropped chunks", ["acme/infra#56"]),
    ]


def test_issue_links_outside_an_action_section_are_not_items() -> None:
    text = """# Outage

## Related issues

- [Fluent-bit flushes fail under load](https://github.com/acme/infra/issues/123)
- [Search cluster rejects old indices](https://github.com/acme/infra/issues/124)

## Action items

- Pin the fluent-bit version
"""
    assert [d.title for d in parse(text).items] == ["Pin the fluent-bit version"]


def test_link_only_bullets_import_linked_to_their_issues(run_cli, make_config, db_url, workdir) -> None:
    make_config(TARGETS)
    doc = workdir / "2026-07-25-logging.md"
    doc.write_text(LINKED, encoding="utf-8")
    result = run_cli.ok("import", str(doc), "--format", "json")
    [report] = json.loads(result.stdout)["documents"]
    assert report["counts"]["new"] == 4 and not report["empty"]
    memory, alert, document, upstream = items(db_url, "2026-07-25-logging")
    assert memory.title == "Investigate fluent-bit memory growth"
    assert [link.key for link in alert.links] == ["acme/infra#124"]
    assert [(link.target, link.key, link.state, link.remote_number) for link in memory.links] == [
        ("gh", "acme/infra#123", "pending", 123)
    ]
    assert [(link.target, link.key) for link in document.links] == [("ops", "OPS-41")]
    # An issue in no configured target is kept as the item's reference, and said so.
    assert upstream.links == [] and upstream.tracking_ref == "https://github.com/other/repo/issues/9"
    assert any(
        "other/repo#9, which is in no configured target" in note for note in report["items"][3]["notes"]
    )
    before = counts(db_url)
    again = run_cli.ok("import", str(doc))
    assert "0 new, 0 updated, 4 unchanged, 0 removed" in again.stdout
    assert counts(db_url) == before


def test_render_keeps_the_link_and_adds_only_the_new_status(run_cli, make_config, db_url, workdir) -> None:
    make_config(TARGETS)
    doc = workdir / "2026-07-25-logging.md"
    doc.write_text(LINKED, encoding="utf-8")
    run_cli.ok("import", str(doc))
    memory, *rest = items(db_url, "2026-07-25-logging")
    run_cli.ok("done", str(memory.id))
    run_cli.ok("render", "2026-07-25-logging", "--write", str(doc))
    rendered = doc.read_text(encoding="utf-8")
    assert rendered == LINKED.replace(
        "- [Investigate fluent-bit memory growth](https://github.com/acme/infra/issues/123)\n",
        "- [Investigate fluent-bit memory growth](https://github.com/acme/infra/issues/123) (status: Done)\n",
    )
    again = run_cli.ok("import", str(doc))
    assert "0 new, 0 updated, 4 unchanged, 0 removed" in again.stdout
    assert [(i.id, i.status) for i in items(db_url, "2026-07-25-logging")] == [(memory.id, "done")] + [
        (other.id, "open") for other in rest
    ]


def test_render_ticks_the_box_of_a_checklist_issue_link(run_cli, db_url, workdir) -> None:
    text = (
        "# Logs\n\n## Follow-ups\n\n"
        "- [ ] [Investigate fluent-bit memory growth](https://github.com/acme/infra/issues/123)\n"
        "- [ ] [Pin the fluent-bit version](https://github.com/acme/infra/issues/124)\n"
    )
    doc = workdir / "2026-07-25-logs.md"
    doc.write_text(text, encoding="utf-8")
    run_cli.ok("import", str(doc))
    memory, pin = items(db_url, "2026-07-25-logs")
    assert (memory.tracking_ref, pin.tracking_ref) == (
        "https://github.com/acme/infra/issues/123",
        "https://github.com/acme/infra/issues/124",
    )
    run_cli.ok("done", str(memory.id))
    run_cli.ok("render", "2026-07-25-logs", "--write", str(doc))
    assert doc.read_text(encoding="utf-8") == text.replace("- [ ] [Investigate", "- [x] [Investigate")
    again = run_cli.ok("import", str(doc))
    assert "0 new, 0 updated, 2 unchanged, 0 removed" in again.stdout
    assert [(i.id, i.status) for i in items(db_url, "2026-07-25-logs")] == [
        (memory.id, "done"),
        (pin.id, "open"),
    ]
