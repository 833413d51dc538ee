"""Action items written as headings over a prose body (`#### 1) Add disk alerts `@dana` [detect]`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from markdown_it.tree import SyntaxTreeNode

from tracker.importing.annotations import is_field_lines
from tracker.importing.drafts import ItemDraft
from tracker.importing.lists import draft_from_text
from tracker.importing.markdown import inline_tokens, plain, strong_spans
from tracker.importing.sections import Context, item_marker, read_status
from tracker.provenance import Shaped

_NUMBER = re.compile(r"^\s*(?:\d{1,3}[.)]|[A-Za-z][)]|#\d{1,3}[.:)]?)\s+")
_LEADING_WORD_STATUS = re.compile(r"^(?P<v>TODO|DONE|WIP|FIXED|WONTFIX|WONTDO)\b(?:\s*[:-])?\s+(?=\S)")
_TRAILING_TAG = re.compile(r"\s*\[(?P<v>[a-z][a-z0-9 _/-]{0,24})\](?!\()\s*$")
_CODE_HANDLES = r"`?@[\w.-]+`?(?:\s*(?:,|and|&)\s*`?@[\w.-]+`?)*"
_TRAILING_CODE_HANDLE = re.compile(r"\s+(?P<v>`@[\w.-]+`(?:\s*(?:,|and|&)\s*`@[\w.-]+`)*)\s*$")
_BODY_OWNER = re.compile(rf"^(?P<v>{_CODE_HANDLES})\s+(?:will\s+|to\s+|is\s+|are\s+)?[a-z]")
_UPDATE_NOTE = re.compile(
    r"^\s*(?:\*\*|__)(?P<v>(?:update|status)\b.+?)(?:\*\*|__)\s*$", re.IGNORECASE | re.DOTALL
)
# Bodies that start with the owners' handles ("`@nova` and `@hazelweakly` planning ..."), and a bold
# "**Update: ...**" paragraph standing for the item's status.
BODY_OWNER = Shaped("hachyderm")
UPDATE_NOTE = Shaped("ethereum")


def heading_item(
    heading: SyntaxTreeNode,
    body: list[SyntaxTreeNode],
    section: str,
    context: Context,
    jira_projects: Collection[str],
    known_owner: Callable[[str], bool] | None,
) -> ItemDraft | None:
    """One item from a heading: number, `TODO` prefix and `[category]` tags come off the title; a code-span
    handle at the end is the owner (kept as written); the prose below is the description."""
    raw = heading.children[0].content if heading.children else ""
    raw = _NUMBER.sub("", raw.strip())
    raw = item_marker(raw) or raw  # "Action item 1: Add disk alerts"
    status: str | None = None
    if match := _LEADING_WORD_STATUS.match(raw):
        status, raw = match.group("v"), raw[match.end() :]
    priority: str | None = None
    while match := _TRAILING_TAG.search(raw):
        priority = priority or match.group("v")
        raw = raw[: match.start()]
    owner: str | None = None
    if match := _TRAILING_CODE_HANDLE.search(raw):
        owner, raw = match.group("v"), raw[: match.start()]
    paragraphs = [node for node in body if node.type == "paragraph"]
    # "Owner: Dana" / "Due: 2026-05-01" lines right under the heading are the item's fields, as under a bullet.
    fields = paragraphs[0].children[0].content if paragraphs and paragraphs[0].children else ""
    if is_field_lines(fields):
        raw, paragraphs = raw + "\n" + fields, paragraphs[1:]
    span = heading.map or (0, 1)
    draft = draft_from_text(raw, (span[0], span[1]), "heading", section, context, jira_projects, known_owner)
    if draft is None:
        return None
    draft.owner_text = owner or draft.owner_text
    draft.priority = draft.priority or priority
    first = paragraphs[0].children[0].content if paragraphs and paragraphs[0].children else ""
    if draft.owner_text is None and BODY_OWNER.active and (match := _BODY_OWNER.match(first)):
        draft.owner_text = match.group("v")
    if UPDATE_NOTE.active:
        for node in paragraphs:
            note = _UPDATE_NOTE.match(node.children[0].content if node.children else "")
            if note and len(strong_spans(inline_tokens(node))) == 1:
                status = note.group("v").strip()
    draft.status_text = status or draft.status_text
    draft.status = read_status(draft.status_text)
    description = " ".join(plain(inline_tokens(node)) for node in paragraphs)
    draft.description = description[:2000] or None
    return draft
