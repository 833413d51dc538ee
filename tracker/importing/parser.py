"""Document text -> ParsedDocument: metadata plus the action-item drafts of every action section."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import PurePath
from typing import Any

from markdown_it.tree import SyntaxTreeNode

from tracker.errors import InputError
from tracker.importing.drafts import ItemDraft, ParsedDocument, TableInfo
from tracker.importing.lists import list_items, paragraph_item
from tracker.importing.markdown import inline_tokens, parse_tree, split_front_matter, strong_spans
from tracker.importing.metadata import collect
from tracker.importing.sections import Context, action_sections, heading_context, heading_text
from tracker.importing.tables import table_items

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def valid_slug(slug: str) -> bool:
    return bool(_SLUG.match(slug))


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "postmortem"


def slug_from_name(name: str) -> str:
    stem = PurePath(name).stem if name not in ("-", "<stdin>") else "stdin"
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-.")
    return slug[:200] or "postmortem"


def resolve_slug(parsed: ParsedDocument, slug: str | None) -> str:
    """--slug, else the front matter's, else from the file name (from stdin: from the title)."""
    if slug:
        return slug
    if parsed.meta.slug:
        return parsed.meta.slug
    if parsed.name in ("-", "<stdin>"):
        return _slugify(parsed.meta.title or "stdin")
    return slug_from_name(parsed.name)


def _merge(base: Context, inner: Context) -> Context:
    return Context(inner.status_text or base.status_text, inner.deadline_text or base.deadline_text)


def _pseudo_heading(node: SyntaxTreeNode) -> str | None:
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


def _check_row_widths(info: TableInfo, lines: list[str], name: str) -> None:
    """A row with more cells than its header would silently lose text: refuse the document instead."""
    width = len(info.header)
    for number in range(info.span[0] + 2, info.span[1]):
        line = lines[number].strip()
        if not line:
            continue
        cells = _UNESCAPED_PIPE.split(re.sub(r"`[^`]*`", "", line))
        if line.startswith("|"):
            cells = cells[1:]
        if line.endswith("|") and not line.endswith("\\|"):
            cells = cells[:-1]
        if len(cells) > width:
            raise InputError(
                f"{name}:{number + 1}: action-items table row has {len(cells)} cells but the header has {width}",
                hint="escape a | inside a cell as \\| or add the missing column to the header",
            )


def parse_document(
    text: str,
    name: str = "<stdin>",
    jira_projects: Collection[str] = (),
    known_owner: Callable[[str], bool] | None = None,
) -> ParsedDocument:
    """Read one Markdown postmortem. Raises InputError (with file and line) for a malformed document."""
    if "\x00" in text:
        raise InputError(f"{name}: binary data (NUL byte) in a Markdown document")
    text = text.lstrip("\ufeff")
    front, front_span, body = _front_matter(text, name)
    blocks = parse_tree(body).children
    lines = text.split("\n")
    spans = action_sections(blocks)
    skip = {i for start, end in spans for i in range(start, end)}
    meta, _where = collect(front, (front_span[0] + 1) if front_span else 1, blocks, skip, name)
    if meta.title is None:
        headings = [b for b in blocks if b.type == "heading"]
        first = next((h for h in headings if h.tag == "h1"), headings[0] if headings else None)
        meta.title = heading_text(first) if first is not None else None
    if meta.slug is not None:
        meta.slug = str(meta.slug).strip()
        if not _SLUG.match(meta.slug):
            line = (front_span[0] + 1) if front_span else 1
            raise InputError(
                f"{name}:{line}: slug {meta.slug!r} must be lower case letters, digits, '.', '_' or '-'",
                hint="for example: slug: 2026-06-19-orders-api",
            )
    items: list[ItemDraft] = []
    tables: list[TableInfo] = []
    sections: list[tuple[int, int]] = []
    for start, end in spans:
        heading = blocks[start]
        title = heading_text(heading)
        base = heading_context(title)
        context = base
        section_lines = (heading.map or (0, 0))[0], (blocks[end - 1].map or (0, len(lines)))[1]
        sections.append(section_lines)
        table_drafts: list[ItemDraft] = []
        other_drafts: list[ItemDraft] = []
        sub_context = base
        for node in _unquoted(blocks[start + 1 : end]):
            if node.type == "heading":
                sub_context = _merge(base, heading_context(heading_text(node)))
                context = sub_context
            elif node.type == "paragraph":
                pseudo = _pseudo_heading(node)
                if pseudo is not None:
                    context = _merge(sub_context, heading_context(pseudo))
                    continue
                draft = paragraph_item(node, title, context, jira_projects, known_owner)
                if draft is not None:
                    other_drafts.append(draft)
            elif node.type == "table":
                info, drafts = table_items(node, lines, title, len(tables), jira_projects)
                if info is not None:
                    _check_row_widths(info, lines, name)
                    tables.append(info)
                    table_drafts.extend(drafts)
            elif node.type in ("bullet_list", "ordered_list"):
                other_drafts.extend(list_items(node, title, context, jira_projects, known_owner))
        # A section with an action table keeps its lists as explanation (types, priorities), not tasks.
        if _has_table(tables, section_lines):
            found = table_drafts + [d for d in other_drafts if d.kind == "paragraph"]
        else:
            found = other_drafts
        items.extend(sorted(found, key=lambda d: d.source_line))
    document = ParsedDocument(name=name, text=text, meta=meta, items=items, sections=sections, tables=tables)
    if not spans:
        document.warnings.append("no action-items section found")
    return document


def _unquoted(nodes: list[SyntaxTreeNode]) -> list[SyntaxTreeNode]:
    """Blocks with block quotes opened up: a quoted list of actions is still a list of actions."""
    flat: list[SyntaxTreeNode] = []
    for node in nodes:
        flat.extend(_unquoted(node.children) if node.type == "blockquote" else [node])
    return flat


def _has_table(tables: list[TableInfo], span: tuple[int, int]) -> bool:
    return any(span[0] <= t.span[0] < span[1] for t in tables)


def _front_matter(text: str, name: str) -> tuple[dict[str, Any], tuple[int, int] | None, str]:
    front, span, body = split_front_matter(text)
    if span is None:
        stripped = [
            line for line in text.split("\n")[:50] if line.strip() and not line.lstrip().startswith("<!--")
        ]
        if stripped and stripped[0].rstrip() == "---" and not front:
            first = next(i for i, line in enumerate(text.split("\n")) if line.rstrip() == "---")
            raise InputError(
                f"{name}:{first + 1}: front matter starts with --- but is never closed",
                hint="end the front matter with a line of ---",
            )
        return {}, None, text
    for number in range(span[0] + 1, span[1] - 1):
        line = text.split("\n")[number]
        value = line.split(":", 1)[1].strip() if ":" in line else ""
        unbalanced = (value[:1] == "[" and value[-1:] != "]") or (
            value[:1] in ("'", '"') and (len(value) < 2 or value[-1] != value[0])
        )
        if unbalanced:
            raise InputError(
                f"{name}:{number + 1}: front matter value is not closed: {line.strip()[:60]!r}",
                hint="close the quote or the [list]",
            )
        if (
            line.strip()
            and not line[:1].isspace()  # a block scalar's or nested map's continuation line
            and not line.lstrip().startswith("#")
            and not re.match(r"^\s*(?:-\s|[\w][\w .-]*\s*:)", line)
        ):
            raise InputError(
                f"{name}:{number + 1}: front matter line is not `key: value`: {line.strip()[:60]!r}",
                hint="front matter holds simple `key: value` lines",
            )
    return front, span, body
