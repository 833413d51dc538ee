"""Write a postmortem back with its action items refreshed; every other line is kept byte for byte."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tracker.deadlines import parse_deadline
from tracker.importing.drafts import ItemDraft, TableInfo
from tracker.importing.fingerprints import Candidate, draft_fingerprints, match
from tracker.importing.markdown import parse_tree
from tracker.importing.parser import parse_document
from tracker.importing.refs import jira_projects
from tracker.importing.sections import read_status
from tracker.importing.source import decode
from tracker.importing.upsert import reference_day
from tracker.models import ActionItem, Link, Postmortem
from tracker.statuses import Status

STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done", "wont_do": "Won't do"}
NEW_COLUMNS = {"owner": "Owner", "deadline": "Deadline", "status": "Status", "ref": "Issue"}
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


@dataclass
class Wanted:
    """The values the document should show for one item."""

    owner: str | None
    deadline: str | None
    status: str | None
    link: Link | None

    def link_markdown(self) -> str | None:
        if self.link is None or not self.link.key:
            return None
        return f"[{self.link.key}]({self.link.url})" if self.link.url else self.link.key


def wanted(item: ActionItem, reference: date) -> Wanted:
    deadline = item.deadline_text
    if item.deadline is not None and (
        deadline is None or parse_deadline(deadline, reference).date != item.deadline
    ):
        deadline = item.deadline.isoformat()
    status: str | None = item.status_text
    if (read_status(status) or Status.OPEN).value != item.status:
        status = STATUS_LABELS.get(item.status, item.status)
    links = [link for link in item.links if link.key]
    links.sort(key=lambda link: link.state != "linked")
    return Wanted(item.owner_text, deadline, status, links[0] if links else None)


def _has_link(draft: ItemDraft, want: Wanted) -> bool:
    if want.link is None:
        return True
    keys = {ref.key.lower() for ref in draft.refs} | {(ref.url or "").lower() for ref in draft.refs}
    return (want.link.key or "").lower() in keys or (want.link.url or "").lower() in keys


def _lines(text: str) -> list[str]:
    return _LINE.findall(text)


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :]


def render_postmortem(
    session: Session,
    postmortem: Postmortem,
    original: bytes,
    name: str,
    config: Any,
    known_owner: Callable[[str], bool] | None = None,
) -> bytes:
    """The document with its action items showing the database's status, owner, deadline and issue link."""
    text = decode(original, name)
    raw = original.decode("utf-8")
    parsed = parse_document(text, name, jira_projects(config.targets), known_owner, config.importing.sections)
    # Lines as stored (CRLF kept); a lone CR counts as a line break for the parser, so fall back to its view.
    lines = _lines(raw) if "\r" not in raw.replace("\r\n", "") else _lines(text)
    newline = "\r\n" if "\r\n" in raw else "\n"
    items = [item for item in postmortem.items if item.removed_at is None]
    by_id = {item.id: item for item in items}
    candidates = [Candidate(i.id, i.fingerprint, i.title, i.position, _refs(i)) for i in items]
    matched = match(parsed.items, draft_fingerprints(parsed.items), candidates)
    reference = reference_day(postmortem, date.today())
    replacements: dict[int, tuple[int, list[str]]] = {}  # first line -> (end line, new lines)
    pairs = [(draft, by_id[matched[index]]) for index, draft in enumerate(parsed.items) if index in matched]
    for table_id, info in enumerate(parsed.tables):
        rows = [(d, i) for d, i in pairs if d.kind == "table" and d.table_id == table_id]
        replacements.update(_table(info, rows, lines, reference))
    for draft, item in pairs:
        # Heading items and plain lines keep their text: their annotations live in prose or a heading.
        if draft.kind not in ("table", "heading", "line"):
            replacements.update(_text_item(draft, item, lines, reference))
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index in replacements:
            span_end, new_lines = replacements[index]
            ending = _ending(lines[span_end - 1]) or (newline if span_end < len(lines) else "")
            out.extend(line + newline for line in new_lines[:-1])
            out.append(new_lines[-1] + ending)
            index = span_end
        else:
            out.append(lines[index])
            index += 1
    return "".join(out).encode("utf-8")


def _refs(item: ActionItem) -> frozenset[str]:
    keys = {v.lower() for link in item.links for v in (link.key, link.url) if v}
    if item.tracking_ref:
        keys.add(item.tracking_ref.lower())
    return frozenset(keys)


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def _table(
    info: TableInfo, rows: list[tuple[ItemDraft, ActionItem]], lines: list[str], reference: date
) -> dict[int, tuple[int, list[str]]]:
    """Rewrite the rows whose values changed, adding Owner/Deadline/Status/Issue columns when needed."""
    width = len(info.header)
    plans: dict[int, dict[str, str]] = {}
    added: list[str] = []
    for draft, item in rows:
        want = wanted(item, reference)
        changes: dict[str, str] = {}
        if want.owner != draft.owner_text:
            changes["owner"] = want.owner or ""
        if want.deadline != draft.deadline_text:
            changes["deadline"] = want.deadline or ""
        if want.status != draft.status_text:
            changes["status"] = want.status or ""
        if not _has_link(draft, want):
            changes["ref"] = want.link_markdown() or ""
        for role in changes:
            if role not in info.roles and role not in added:
                added.append(role)
        plans[draft.line_span[0]] = changes
    columns = dict(info.roles)
    for offset, role in enumerate(added):
        columns[role] = width + offset
    total = width + len(added)
    result: dict[int, tuple[int, list[str]]] = {}
    if added:
        header = info.header + [NEW_COLUMNS[role] for role in added]
        delimiter = (info.delimiter + ["---"] * total)[:width] + ["---"] * len(added)
        result[info.span[0]] = (info.span[0] + 1, [_row(header)])
        result[info.span[0] + 1] = (info.span[0] + 2, ["| " + " | ".join(delimiter) + " |"])
    continued: set[int] = set()  # the later lines of a row written over several lines
    for number in range(info.span[0] + 2, info.span[1]):
        count = info.wrapped.get(number, 1)
        if number in continued:
            continue
        continued.update(range(number + 1, number + count))
        changes = plans.get(number, {})
        if not changes and not added:
            continue
        # A wrapped row is written back as one line: its cells are rewritten, so it cannot keep its breaks.
        row = " ".join(
            [lines[number].rstrip("\r\n").rstrip()]
            + [line.strip() for line in lines[number + 1 : number + count]]
        )
        cells = _cells_of(row)
        cells = (cells + [""] * total)[:total]
        for role, value in changes.items():
            index = columns[role]
            if (
                role == "ref"
                and role in info.roles
                and cells[index].strip().lower() not in ("", "n/a", "-", "none")
            ):
                cells[index] = f"{cells[index]} {value}"
            else:
                cells[index] = value
        result[number] = (number + count, [_row(cells)])
    return result


def _cells_of(line: str) -> list[str]:
    """The cells of one table row, unescaped, by parsing it under a dummy header."""
    row = line.rstrip("\r\n")
    count = max(1, len(re.findall(r"(?<!\\)\|", row)))
    tree = parse_tree("|" + " a |" * count + "\n|" + " --- |" * count + "\n" + row + "\n")
    table = tree.children[0] if tree.children and tree.children[0].type == "table" else None
    if table is None or len(table.children) < 2:
        return [row]
    body = table.children[1].children[0]
    return [cell.children[0].content if cell.children else "" for cell in body.children]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_escape(cell.strip()) for cell in cells) + " |"


def _text_item(
    draft: ItemDraft, item: ActionItem, lines: list[str], reference: date
) -> dict[int, tuple[int, list[str]]]:
    """Rewrite a list item or paragraph: its core text kept, its annotations written as `(owner: …; due: …)`."""
    want = wanted(item, reference)
    result: dict[int, tuple[int, list[str]]] = {}
    child_spots = {
        name: spot for name, spot in draft.spots.items() if spot.how == "child" and spot.line is not None
    }
    for name, spot in child_spots.items():
        value = {"owner": want.owner, "deadline": want.deadline, "status": want.status}.get(name)
        current = {
            "owner": draft.owner_text,
            "deadline": draft.deadline_text,
            "status": draft.status_text,
        }.get(name)
        if value is not None and value != current and spot.line is not None:
            line = lines[spot.line].rstrip("\r\n")
            head = re.match(r"^[^:]*:\s*", line)
            result[spot.line] = (spot.line + 1, [(head.group(0) if head else line + " ") + value])
    same = (
        (want.owner == draft.owner_text or "owner" in child_spots)
        and (want.deadline == draft.deadline_text or "deadline" in child_spots)
        and (want.status == draft.status_text or "status" in child_spots)
        and _has_link(draft, want)
    )
    if same:
        return result
    box = draft.checkbox
    if box is not None and want.status not in ("[ ]", "[x]", "[X]"):
        box = "[x]" if item.status in ("done", "wont_do") else "[ ]"
    elif box is not None:
        box = want.status
    marker = _marker(draft, lines[draft.line_span[0]].rstrip("\r\n"))
    said = None  # the status the marker states ("**TODO**: ...")
    if marker and draft.lead and draft.lead in marker:
        said = draft.lead
        if want.status not in (None, draft.lead):
            # Done since: the marker that makes the paragraph an item says the new status.
            marker = marker.replace(draft.lead, want.status, 1)
            said = want.status
    implied = box or said or draft.context_status
    group: list[str] = []
    implied_status = (read_status(implied) or Status.OPEN).value
    expressed = (
        want.status == implied
        or (want.status is None and implied_status == Status.OPEN.value)
        or (implied_status == item.status and item.status_source not in (None, "document"))
    )
    if want.owner and "owner" not in child_spots:
        group.append(f"owner: {want.owner}")
    if want.deadline and "deadline" not in child_spots and want.deadline != draft.context_deadline:
        group.append(f"due: {want.deadline}")
    if not expressed and "status" not in child_spots:
        if want.status is None:
            want.status = STATUS_LABELS.get(item.status, item.status)
        group.append(f"status: {want.status}")
    if not _has_link(draft, want):
        group.append(f"issue: {want.link_markdown()}")
    body = draft.core
    if box:
        body = f"{box} {body}"
    if marker:
        body = f"{marker}{body}"
    if group:
        body = f"{body} ({'; '.join(group)})"
    start, end = draft.line_span
    first = lines[start].rstrip("\r\n")
    content_lines = body.split("\n")
    original_first = _content_start(first, draft)
    new_lines = [first[:original_first] + content_lines[0]]
    for offset, text in enumerate(content_lines[1:], start=1):
        source = lines[start + offset].rstrip("\r\n") if start + offset < end else ""
        indent = (
            source[: len(source) - len(source.lstrip(" \t>"))] if source.strip() else " " * original_first
        )
        new_lines.append(indent + text)
    result[start] = (end, new_lines)
    return result


def _marker(draft: ItemDraft, first: str) -> str:
    """What opens a marked paragraph before its text (`**TODO**: `, `**Action item:** `): it is what makes
    the paragraph an item, so a rewritten paragraph keeps it."""
    if draft.kind != "paragraph":
        return ""
    start = _content_start(first, draft)
    found = first.find(draft.core.split("\n")[0][:40], start)
    return first[start:found] if found > start else ""


def _content_start(line: str, draft: ItemDraft) -> int:
    """Where the paragraph's text starts on its first line (after indentation and the list marker)."""
    match = re.match(r"^(\s*(?:>\s*)*(?:[-*+]|\d{1,9}[.)])?\s+)", line) if draft.kind == "list" else None
    if match:
        return len(match.group(1))
    return len(line) - len(line.lstrip())
