"""Action-item tables: column roles from any common header names, one draft per non-empty row."""

from __future__ import annotations

import re
from collections.abc import Collection

from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

from tracker.importing.annotations import split_owner_deadline
from tracker.importing.drafts import FieldSpot, ItemDraft, TableInfo
from tracker.importing.markdown import collapse, inline_tokens, parse_tree, plain, strong_spans
from tracker.importing.refs import refs_in
from tracker.statuses import parse_status

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "title": (
        "action item",
        "action items",
        "action",
        "actions",
        "task",
        "tasks",
        "item",
        "items",
        "remediation",
        "description",
        "what",
        "todo",
        "to do",
        "follow up",
        "follow ups",
        "action description",
        "summary",
        "corrective action",
        "next step",
        "next steps",
        "work item",
        "ai",
    ),
    "owner": (
        "owner",
        "owners",
        "assignee",
        "assignees",
        "assigned to",
        "who",
        "dri",
        "responsible",
        "owned by",
        "poc",
        "point of contact",
        "lead",
    ),
    "deadline": (
        "deadline",
        "due",
        "due date",
        "due by",
        "eta",
        "target date",
        "target",
        "by",
        "when",
        "by when",
        "date due",
        "target completion",
        "completion date",
    ),
    "status": ("status", "state", "progress", "done"),
    "ref": (
        "bug",
        "bugs",
        "ticket",
        "tickets",
        "issue",
        "issues",
        "tracking",
        "tracking issue",
        "link",
        "links",
        "jira",
        "github",
        "tracker",
        "reference",
        "ref",
        "bug ticket",
        "ticket link",
        "issue link",
    ),
    "priority": ("priority", "prio", "type", "category", "kind", "severity", "p"),
    "route": ("target", "route", "backlog", "queue", "board", "destination"),
}
_ALIAS_ROLE = {alias: role for role, aliases in COLUMN_ALIASES.items() for alias in aliases}
_STATUS_WORD = re.compile(
    r"\b(DONE|TODO|FIXED|CLOSED|OPEN|WONTFIX|WIP|COMPLETED?|IN PROGRESS|NOT STARTED)\b|(✅|✔️|✔|☑️|🔲|⬜|❌)"
)


def normalise_header(text: str) -> str:
    return collapse(re.sub(r"[^a-z0-9]+", " ", text.lower()))


# Header words that give a column its role when the whole name is not a known alias: "Expected date",
# "Target completion", "Person responsible", "Current status".
_ROLE_WORDS = (
    ("deadline", re.compile(r"\b(?:due|deadline|eta|expected|target|completion|by\s+when)\b")),
    ("owner", re.compile(r"\b(?:owner|owners|assignee|responsible|dri)\b")),
    ("status", re.compile(r"\b(?:status|state|progress)\b")),
)


def _role_of(header: str) -> str | None:
    name = normalise_header(header)
    role = _ALIAS_ROLE.get(name)
    if role is not None:
        return role
    return next((role for role, words in _ROLE_WORDS if words.search(name)), None)


def column_roles(headers: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, header in enumerate(headers):
        role = _role_of(header)
        if role and role not in roles:
            roles[role] = index
    return roles


def _cells(row: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    return [cell for cell in row.children if cell.type in ("th", "td")]


def _raw(cell: SyntaxTreeNode) -> str:
    return cell.children[0].content if cell.children else ""


def _children(cell: SyntaxTreeNode) -> list[Token]:
    return inline_tokens(cell)


def status_in_cell(cell: SyntaxTreeNode) -> str | None:
    """A status word kept in another cell, as the Google SRE example keeps **DONE** in its Bug column."""
    for span in strong_spans(_children(cell)):
        if parse_status(span) is not None and len(span.split()) <= 3:
            return span
    text = plain(_children(cell))
    match = _STATUS_WORD.search(text)
    return match.group(0) if match else None


_UNESCAPED_PIPE_END = re.compile(r"(?<!\\)\|\s*$")


def _wrapped_rows(
    rows: list[SyntaxTreeNode], source_lines: list[str], header_line: str, delimiter_line: str
) -> list[tuple[SyntaxTreeNode, int, int]]:
    """(row, first line, line count) of the body rows. In a table written with outer pipes, a line that
    does not end in a pipe runs on into the next line that does not start with one: one row wrapped over
    lines (by an editor, or by hand), which the Markdown parser reads as a second row of leftovers."""
    if not (header_line.strip().startswith("|") and _UNESCAPED_PIPE_END.search(header_line)):
        return [(row, row.map[0], 1) for row in rows if row.map]
    found: list[tuple[SyntaxTreeNode, int, int]] = []
    index = 0
    while index < len(rows):
        row = rows[index]
        if not row.map:
            index += 1
            continue
        first = row.map[0]
        text = source_lines[first].rstrip()
        count = 1
        while (
            not _UNESCAPED_PIPE_END.search(text)
            and index + count < len(rows)
            and (rows[index + count].map or (0, 0))[0] == first + count
            and not source_lines[first + count].lstrip().startswith("|")
        ):
            text = f"{text} {source_lines[first + count].strip()}"
            count += 1
        if count > 1:
            tree = parse_tree(f"{header_line.rstrip()}\n{delimiter_line.rstrip()}\n{text}\n")
            table = tree.children[0] if tree.children and tree.children[0].type == "table" else None
            body = table.children[1].children if table is not None and len(table.children) > 1 else []
            if body:
                row = body[0]
        found.append((row, first, count))
        index += count
    return found


def table_items(
    table: SyntaxTreeNode,
    source_lines: list[str],
    section: str,
    table_id: int,
    jira_projects: Collection[str],
) -> tuple[TableInfo | None, list[ItemDraft]]:
    """The drafts of an action-items table; (None, []) when the table has no action column."""
    rows = [row for part in table.children for row in part.children if row.type == "tr"]
    if not rows:
        return None, []
    header_cells = _cells(rows[0])
    headers = [plain(_children(cell)) for cell in header_cells]
    roles = column_roles(headers)
    if "title" not in roles:
        if not roles or (len(roles) == 1 and "priority" in roles):
            return None, []
        roles["title"] = next(i for i in range(len(headers)) if i not in roles.values())
    delimiter_line = source_lines[rows[0].map[1]] if rows[0].map else ""
    delimiter = [part.strip() for part in delimiter_line.strip().strip("|").split("|")]
    span = table.map or (0, 0)
    info = TableInfo(
        span=(span[0], span[1]), header=[_raw(c) for c in header_cells], delimiter=delimiter, roles=roles
    )
    drafts: list[ItemDraft] = []
    header_line = source_lines[rows[0].map[0]] if rows[0].map else ""
    for row, line, count in _wrapped_rows(rows[1:], source_lines, header_line, delimiter_line):
        if count > 1:
            info.wrapped[line] = count
        cells = _cells(row)
        raw = [_raw(cell) for cell in cells]
        if not any(value.strip() for value in raw):
            continue
        title_cell = cells[roles["title"]] if roles["title"] < len(cells) else None
        title = plain(_children(title_cell)) if title_cell is not None else ""
        if not title:
            continue

        def value(role: str, cells: list[SyntaxTreeNode] = cells) -> str | None:
            index = roles.get(role)
            if index is None or index >= len(cells):
                return None
            return plain(_children(cells[index])) or None

        draft = ItemDraft(
            title=title,
            title_text=_raw(title_cell).strip() if title_cell is not None else title,
            source_line=line + 1,
            kind="table",
            section=section,
            owner_text=value("owner"),
            deadline_text=value("deadline"),
            status_text=value("status"),
            priority=value("priority"),
            route=value("route"),
            line_span=(line, line + count),
            table_id=table_id,
            cells=raw,
        )
        if draft.owner_text and not draft.deadline_text:
            # "@marco, due 2026-03-05" in an owner cell: an owner and a deadline.
            draft.owner_text, draft.deadline_text = split_owner_deadline(draft.owner_text)
        for role in ("owner", "deadline", "status"):
            if role in roles:
                draft.spots[role] = FieldSpot("cell")
        status_index = roles.get("status")
        if draft.status_text is not None and status_index is not None and status_index < len(cells):
            # "n/a **TODO**": the bold word is the status, whatever else the cell says.
            spans = [s for s in strong_spans(_children(cells[status_index])) if parse_status(s) is not None]
            if spans and parse_status(spans[0]) != parse_status(draft.status_text):
                draft.status_text = spans[0]
        if draft.status_text is None:
            for index, cell in enumerate(cells):
                if index != roles["title"]:
                    found = status_in_cell(cell)
                    if found:
                        draft.status_text = found
                        break
        draft.status = parse_status(draft.status_text)
        ref_index = roles.get("ref")
        texts = [raw[ref_index]] if ref_index is not None and ref_index < len(raw) else []
        texts += [r for i, r in enumerate(raw) if i != ref_index]
        draft.refs = refs_in(texts, jira_projects)
        if draft.refs and "ref" in roles:
            draft.spots["ref"] = FieldSpot("cell")
        drafts.append(draft)
    return info, drafts
