"""One action section's blocks -> drafts: sub-headings as items or as groups, tables, lists and paragraphs."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from markdown_it.tree import SyntaxTreeNode

from tracker.importing.drafts import ItemDraft, TableInfo
from tracker.importing.headings import heading_item
from tracker.importing.lists import (
    NONE_STATED,
    line_items,
    list_items,
    paragraph_item,
    prose_item,
    short_statement,
)
from tracker.importing.markdown import inline_tokens, strong_spans
from tracker.importing.placeholders import is_instruction
from tracker.importing.sections import (
    Context,
    heading_context,
    heading_level,
    heading_text,
    is_action_heading,
    is_group_label,
    item_marker,
    merge,
    without_review_parts,
)
from tracker.importing.tables import table_items
from tracker.provenance import Shaped

# Sub-headings that are items with prose bodies ("#### 1) Add disk alerts `@owner`" over a paragraph),
# read as one item each rather than as groups of the lists below them.
HEADING_ITEMS = Shaped("hachyderm", "iip-design", "ethereum", "cheqd")
# Paragraphs and plain lines in an action section that has no list and no table: one item each.
PROSE_ITEMS = Shaped()


@dataclass
class Reader:
    """What reading a document's action sections needs and collects."""

    lines: list[str]
    jira_projects: Collection[str]
    known_owner: Callable[[str], bool] | None
    tables: list[TableInfo] = field(default_factory=list)
    check_table: Callable[[TableInfo], None] | None = None


def pseudo_heading(node: SyntaxTreeNode) -> str | None:
    """A paragraph that is only bold text ending in a colon ("**In progress (next 2 weeks):**") acts as a heading."""
    inline = node.children[0] if node.children else None
    if inline is None:
        return None
    content = inline.content.strip()
    if not re.fullmatch(r"(?:\*\*|__)[^*_\n]+(?:\*\*|__):?", content):
        return None
    spans = strong_spans(inline_tokens(node))
    text = spans[0] if spans else ""
    return text if (text.endswith(":") or content.endswith(":")) else None


def _status_line(node: SyntaxTreeNode) -> str | None:
    """A plain line that is only a status and a colon ("Completed:", "In progress:") over the items below
    it: the same as a bold label or a heading that says so."""
    content = (node.children[0].content if node.children else "").strip()
    if not re.fullmatch(r"[A-Za-z][A-Za-z '’-]{1,30}:", content):
        return None
    return content if heading_context(content).status_text == content[:-1].strip() else None


_OWNER_LINE = re.compile(
    r"^(?:owners?|assignee|assigned\s+to|dri|responsible)\s*:\s*(?P<v>\S.*)$", re.IGNORECASE
)
_WHO_ONLY = re.compile(r"^(?:@[\w.-]+(?:/[\w.-]+)?|(?i:(?:the\s+)?[\w&/.-]+(?:\s+[\w&/.-]+)?\s+team))$")


_BOLD_ONLY = re.compile(r"(?:\*\*|__)[^*_\n]+(?:\*\*|__)")


def owner_line(node: SyntaxTreeNode, known_owner: Callable[[str], bool] | None = None) -> str | None:
    """A bold line naming who owns the bullets below it: `**Owner: Dana Lee**`, `**@dana**`, `**SRE team:**`
    (a bare name only when [people] or [teams] knows it: Title Case labels are usually topics)."""
    content = (node.children[0].content if node.children else "").strip()
    match = re.fullmatch(r"(?:\*\*|__)(?P<t>[^*_\n]+?)(?:\*\*|__)\s*:?", content)
    return owner_label(match.group("t"), known_owner) if match else None


def owner_label(text: str, known_owner: Callable[[str], bool] | None = None) -> str | None:
    """The owner a label or sub-heading names by itself ("Owner: Dana Lee", "@dana", "Platform team")."""
    text = text.strip().rstrip(":").strip()
    keyed = _OWNER_LINE.match(text)
    if keyed:
        return keyed.group("v").strip()
    if is_group_label(text) or is_action_heading(text):
        return None
    if _WHO_ONLY.match(text) or (known_owner is not None and known_owner(text)):
        return text
    return None


def _is_lead_in(node: SyntaxTreeNode) -> bool:
    return node.type == "paragraph" and (node.children[0].content if node.children else "").rstrip().endswith(
        ":"
    )


def _prose_bodied(body: list[SyntaxTreeNode]) -> bool:
    """A sub-heading whose body opens with prose (or code, or nothing) rather than with a list or table
    (or a sentence ending in a colon that introduces one)."""
    blocks = [n for n in body if n.type not in ("html_block", "hr")]
    if not blocks or blocks[0].type in ("fence", "code_block"):
        return True
    first = blocks[0]
    introduces_list = (
        _is_lead_in(first) and len(blocks) > 1 and blocks[1].type in ("bullet_list", "ordered_list", "table")
    )
    return first.type == "paragraph" and not introduces_list and pseudo_heading(first) is None


def _opens_with_list(body: list[SyntaxTreeNode]) -> bool:
    blocks = [n for n in body if n.type not in ("html_block", "hr")]
    return bool(blocks) and blocks[0].type in ("bullet_list", "ordered_list", "table")


def _chunks(
    body: list[SyntaxTreeNode],
) -> tuple[list[SyntaxTreeNode], list[tuple[SyntaxTreeNode, list[SyntaxTreeNode]]]]:
    """The blocks before the first sub-heading, and each top sub-heading with the blocks under it."""
    levels = [heading_level(n) for n in body if n.type == "heading"]
    if not levels:
        return body, []
    top = min(levels)
    preamble: list[SyntaxTreeNode] = []
    chunks: list[tuple[SyntaxTreeNode, list[SyntaxTreeNode]]] = []
    for node in body:
        if node.type == "heading" and heading_level(node) == top:
            chunks.append((node, []))
        elif chunks:
            chunks[-1][1].append(node)
        else:
            preamble.append(node)
    return preamble, chunks


def read_heading_section(
    reader: Reader, heading: SyntaxTreeNode, body: list[SyntaxTreeNode]
) -> list[ItemDraft]:
    """The drafts under an action heading; a heading that is itself one item behind a marker ("Action item
    1: Add disk alerts") over prose rather than a list is that one item."""
    title = heading_text(heading)
    marked = item_marker(title)
    if marked is not None and not NONE_STATED.match(marked) and not _opens_with_list(body):
        draft = heading_item(heading, body, title, Context(), reader.jira_projects, reader.known_owner)
        return [draft] if draft is not None else []
    return read_section(reader, title, body, heading_context(title))


def read_section(
    reader: Reader, title: str, body: list[SyntaxTreeNode], base: Context, headings_only: bool = False
) -> list[ItemDraft]:
    """The drafts of one action section, in document order (`headings_only`: its heading items, or none)."""
    body = [node for node in without_review_parts(body) if not _instruction(node)]
    preamble, chunks = _chunks(body)
    candidates = [(h, b) for h, b in chunks if not is_group_label(heading_text(h))]
    prose = [1 for _h, b in candidates if _prose_bodied(b)]
    # Heading items when most sub-headings open with prose, and none opens straight into a list or table
    # (a sub-heading directly over a list is a group of the items in it).
    listed = any(_opens_with_list(b) for _h, b in candidates)
    headed = HEADING_ITEMS.active and bool(prose) and 2 * len(prose) >= len(candidates) and not listed
    found: list[ItemDraft] = []
    if headings_only:
        if not headed or len(prose) != len(candidates):
            return []
        preamble = []
    elif not headed:
        found.extend(_read_blocks(reader, title, body, base))
        return sorted(found, key=lambda d: d.source_line)
    if preamble:
        found.extend(_read_blocks(reader, title, preamble, base))
    for heading, chunk in chunks:
        text = heading_text(heading)
        if is_group_label(text):
            context = merge(base, heading_context(text))
            found.extend(_read_blocks(reader, title, chunk, context))
            continue
        draft = heading_item(heading, chunk, title, base, reader.jira_projects, reader.known_owner)
        if draft is not None:
            found.append(draft)
    return sorted(found, key=lambda d: d.source_line)


def _read_blocks(reader: Reader, title: str, nodes: list[SyntaxTreeNode], base: Context) -> list[ItemDraft]:
    """Tables, lists and labelled paragraphs under one heading; headings and bold lead-ins set the context.
    Under each (sub-)heading without a list or table, short paragraphs and plain lines are items too."""
    context = base
    sub_context = base
    table_drafts: list[ItemDraft] = []
    other: list[ItemDraft] = []
    lists: list[tuple[SyntaxTreeNode, list[ItemDraft]]] = []
    segments: list[list[tuple[SyntaxTreeNode, Context]]] = [[]]  # paragraphs under each heading
    listed: list[bool] = [False]  # whether that heading has a list or table
    for node in _unquoted(nodes):
        if node.type == "heading":
            text = heading_text(node)
            owner = (
                owner_label(text)
                if text.startswith("@") or _OWNER_LINE.match(text) or " team" in text.lower()
                else None
            )
            sub_context = merge(base, Context(owner_text=owner) if owner else heading_context(text))
            context = sub_context
            segments.append([])
            listed.append(False)
        elif node.type == "paragraph":
            owner = owner_line(node, reader.known_owner)
            if owner is not None:
                context = merge(sub_context, Context(owner_text=owner))
                continue
            pseudo = pseudo_heading(node) or _status_line(node)
            if pseudo is not None:
                context = merge(sub_context, heading_context(pseudo))
                continue
            if _BOLD_ONLY.fullmatch((node.children[0].content if node.children else "").strip()):
                context = sub_context  # a new bold label: the owner line above no longer applies
            draft = paragraph_item(node, title, context, reader.jira_projects, reader.known_owner)
            if draft is not None:
                other.append(draft)
            else:
                segments[-1].append((node, context))
        elif node.type == "table":
            listed[-1] = True
            info, drafts = table_items(node, reader.lines, title, len(reader.tables), reader.jira_projects)
            if info is not None:
                if reader.check_table is not None:
                    reader.check_table(info)
                reader.tables.append(info)
                table_drafts.extend(drafts)
        elif node.type in ("bullet_list", "ordered_list"):
            listed[-1] = True
            drafts = list_items(node, title, context, reader.jira_projects, reader.known_owner)
            lists.append((node, drafts))
            other.extend(drafts)
    if table_drafts:
        # A list beside an action table that explains the table's values ("P0 - critical for the
        # release", "Prevent - stop a repeat") is not tasks; any other list there is more items.
        values = {_term(cell) for draft in table_drafts for cell in draft.cells or []} - {""}
        explaining = {id(draft) for node, drafts in lists if _defines(node, values) for draft in drafts}
        return sorted(
            table_drafts + [d for d in other if id(d) not in explaining], key=lambda d: d.source_line
        )
    if PROSE_ITEMS.active:
        for index, (paragraphs, has_list) in enumerate(zip(segments, listed, strict=True)):
            # Prose above sub-headings that hold lists introduces them; it is not an item.
            if not has_list and not (index == 0 and any(listed)):
                other.extend(_prose_items(reader, title, paragraphs))
    return other


_DEFINED_TERM = re.compile(r"^\W*(?P<t>[\w/ -]{1,30}?)\s*[-–—:]\s+\S")


def _term(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _defines(node: SyntaxTreeNode, values: set[str]) -> bool:
    """A list whose every entry defines a value used in the table ("P0 - Critical for the release")."""
    entries = [child for child in node.children if child.type == "list_item"]
    terms = []
    for entry in entries:
        first = entry.children[0] if entry.children else None
        content = first.children[0].content if first is not None and first.children else ""
        match = _DEFINED_TERM.match(content.replace("**", "").replace("__", ""))
        terms.append(_term(match.group("t")) if match else None)
    return bool(entries) and all(term in values for term in terms)


def _prose_items(
    reader: Reader, title: str, paragraphs: list[tuple[SyntaxTreeNode, Context]]
) -> list[ItemDraft]:
    """Short statements read as a list written without markers; longer prose explains, so one long
    paragraph means the part is prose and none of it is taken."""
    if not all(short_statement(node) for node, _where in paragraphs if not _is_lead_in(node)):
        return []
    found: list[ItemDraft] = []
    for node, where in paragraphs:
        lines = line_items(node, title, where, reader.jira_projects, reader.known_owner)
        draft = None if lines else prose_item(node, title, where, reader.jira_projects, reader.known_owner)
        found.extend(lines + ([draft] if draft is not None else []))
    return found


def _instruction(node: SyntaxTreeNode) -> bool:
    """A template's instruction left in place ("{link to github issues for ...}"): neither an item nor the
    prose a heading item opens with."""
    return node.type == "paragraph" and bool(node.children) and is_instruction(node.children[0].content)


def _unquoted(nodes: list[SyntaxTreeNode]) -> list[SyntaxTreeNode]:
    """Blocks with block quotes opened up: a quoted list of actions is still a list of actions."""
    flat: list[SyntaxTreeNode] = []
    for node in nodes:
        flat.extend(_unquoted(node.children) if node.type == "blockquote" else [node])
    return flat
