"""Document text -> ParsedDocument: metadata plus the action-item drafts of every action section."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import PurePath
from typing import Any

from markdown_it.tree import SyntaxTreeNode

from tracker.errors import InputError, UsageError
from tracker.importing.drafts import ItemDraft, ParsedDocument, TableInfo
from tracker.importing.lists import NONE_STATED
from tracker.importing.markdown import inline_tokens, parse_tree, plain, split_front_matter, to_plain
from tracker.importing.metadata import collect
from tracker.importing.placeholders import is_placeholder
from tracker.importing.reading import Reader, pseudo_heading, read_heading_section, read_section
from tracker.importing.restated import fold_restated
from tracker.importing.sections import (
    Candidate,
    Context,
    action_sections,
    heading_context,
    heading_text,
)
from tracker.importing.unheaded import (
    action_tables,
    commits,
    label_sections,
    lessons_sections,
    marked_paragraphs,
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def valid_slug(slug: str) -> bool:
    return bool(_SLUG.match(slug))


def slug_from_name(name: str) -> str:
    stem = PurePath(name).stem if name not in ("-", "<stdin>") else "stdin"
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-.")
    return slug[:200] or "postmortem"


def resolve_slug(parsed: ParsedDocument, slug: str | None) -> str:
    """--slug, else the front matter's, else from the file name (standard input has none: refused)."""
    if slug:
        return slug
    if parsed.meta.slug:
        return parsed.meta.slug
    if parsed.name in ("-", "<stdin>"):
        raise UsageError(
            "a document from standard input needs a slug: pass --slug SLUG",
            hint="or put `slug: ...` in its front matter",
        )
    return slug_from_name(parsed.name)


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
    extra_sections: Collection[str] = (),
) -> ParsedDocument:
    """Read one Markdown postmortem. Raises InputError (with file and line) for a malformed document."""
    if "\x00" in text:
        raise InputError(f"{name}: binary data (NUL byte) in a Markdown document")
    text = text.lstrip("\ufeff")
    front, front_span, body = _front_matter(text, name)
    tree = parse_tree(body)
    blocks = tree.children
    lines = text.split("\n")
    candidates: list[Candidate] = []
    spans = action_sections(blocks, extra_sections, candidates)
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
    reader = Reader(lines, jira_projects, known_owner)
    reader.check_table = lambda info: _check_row_widths(info, lines, name)
    groups: list[list[ItemDraft]] = []  # the items of each section, folded once all are read
    sections: list[tuple[int, int]] = []
    for start, end in spans:
        heading = blocks[start]
        title = heading_text(heading)
        sections.append(((heading.map or (0, 0))[0], (blocks[end - 1].map or (0, len(lines)))[1]))
        groups.append(read_heading_section(reader, heading, blocks[start + 1 : end]))
    for label, start, end in label_sections(blocks, skip, extra_sections, candidates):
        title = pseudo_heading(blocks[label]) or plain(inline_tokens(blocks[label]))
        sections.append(((blocks[label].map or (0, 0))[0], (blocks[end - 1].map or (0, len(lines)))[1]))
        groups.append(read_section(reader, title, blocks[start:end], heading_context(title)))
        skip.update(range(label, end))
    for index in marked_paragraphs(blocks, skip, candidates):
        span = blocks[index].map or (0, 0)
        sections.append((span[0], span[1]))
        groups.append(read_section(reader, "", [blocks[index]], Context()))
        skip.add(index)
    for index, section in action_tables(blocks, skip, candidates):
        span = blocks[index].map or (0, 0)
        sections.append((span[0], span[1]))
        groups.append(read_section(reader, section, [blocks[index]], heading_context(section)))
    if not sections:
        for start, end in lessons_sections(blocks, candidates):
            title = heading_text(blocks[start])
            found = read_section(
                reader, title, blocks[start + 1 : end], heading_context(title), headings_only=True
            )
            found = [draft for draft in found if commits(draft.description)]
            if found:
                sections.append(
                    ((blocks[start].map or (0, 0))[0], (blocks[end - 1].map or (0, len(lines)))[1])
                )
                groups.append(found)
    groups = [[draft for draft in group if not is_placeholder(draft.title)] for group in groups]
    items = fold_restated(sorted((g for g in groups if g), key=lambda g: g[0].source_line))
    for draft in items:
        if is_placeholder(draft.owner_text):
            draft.owner_text = None
        if is_placeholder(draft.deadline_text):
            draft.deadline_text = None
    items.sort(key=lambda d: d.source_line)
    document = ParsedDocument(
        name=name, text=text, meta=meta, items=items, sections=sections, tables=reader.tables
    )
    document.candidates = candidates
    document.tree = tree  # recurrence reads the cause from it instead of parsing the text again
    document.headings = [heading_text(b) for b in blocks if b.type == "heading"]
    document.none_stated = not items and _says_none(blocks, spans)
    return document


def _says_none(blocks: list[SyntaxTreeNode], spans: list[tuple[int, int]]) -> bool:
    """An action section that states it has no items ("N/A", "None.", "No actions needed")."""
    for start, end in spans:
        for node in blocks[start + 1 : end]:
            for inline in _inlines(node):
                if NONE_STATED.match(to_plain(inline)):
                    return True
    return False


def _inlines(node: SyntaxTreeNode) -> list[str]:
    if node.type in ("paragraph", "heading"):
        return [node.children[0].content] if node.children else []
    return [text for child in node.children for text in _inlines(child)]


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
    all_lines = text.split("\n")
    if all_lines[span[0]].rstrip() == "+++":
        return front, span, body  # TOML: read leniently, top-level keys only
    block = False
    for number in range(span[0] + 1, span[1] - 1):
        line = all_lines[number]
        if block and (not line.strip() or line[:1].isspace()):
            continue  # the indented lines of a `key: >-` block scalar
        block = bool(re.match(r"^[\w][\w .-]*\s*:\s*[>|][+-]?\s*$", line))
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
