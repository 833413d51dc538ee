"""Markdown reading: the markdown-it parser, YAML front matter, and Markdown-to-plain-text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.tree import SyntaxTreeNode

_HTML_COMMENT_LINE = re.compile(r"^\s*<!--.*-->\s*$")


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def parse_tree(text: str) -> SyntaxTreeNode:
    return SyntaxTreeNode(parser().parse(text))


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def inline_tokens(node: SyntaxTreeNode | None) -> list[Token]:
    """The flat inline tokens of a paragraph, heading or table cell node."""
    if node is None or not node.children:
        return []
    inline = node.children[0]
    token = inline.token if inline.type == "inline" else None
    return list(token.children or []) if token is not None else []


def plain(children: Sequence[Token] | None) -> str:
    """Inline tokens as plain text: links become their text, code spans their content, marks go."""
    parts: list[str] = []
    for token in children or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(plain(token.children))
    return collapse("".join(parts))


def to_plain(markdown: str) -> str:
    """A fragment of inline Markdown as plain text."""
    if not markdown.strip():
        return ""
    tokens = parser().parseInline(markdown)
    return plain(tokens[0].children if tokens else None)


def strong_spans(children: Sequence[Token] | None) -> list[str]:
    """The plain text of each **strong** span, in order."""
    spans: list[str] = []
    depth = 0
    current: list[str] = []
    for token in children or ():
        if token.type == "strong_open":
            depth += 1
            if depth == 1:
                current = []
        elif token.type == "strong_close":
            depth -= 1
            if depth == 0:
                spans.append(collapse("".join(current)))
        elif depth and token.type in ("text", "code_inline"):
            current.append(token.content)
        elif depth and token.type in ("softbreak", "hardbreak"):
            current.append(" ")
    return spans


def split_front_matter(text: str) -> tuple[dict[str, Any], tuple[int, int] | None, str]:
    """YAML front matter (after any leading HTML comments) as a dict, its line span, and the text
    with those lines blanked so the Markdown parser keeps the same line numbers."""
    lines = text.split("\n")
    index = 0
    in_comment = False
    while index < len(lines):
        line = lines[index]
        if in_comment:
            in_comment = "-->" not in line
        elif not line.strip() or _HTML_COMMENT_LINE.match(line):
            pass
        elif line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line
        else:
            break
        index += 1
    if index >= len(lines) or lines[index].rstrip() not in ("---", "+++"):
        return {}, None, text
    toml = lines[index].rstrip() == "+++"
    closers = ("+++",) if toml else ("---", "...")
    for end in range(index + 1, min(len(lines), index + 500)):
        if lines[end].rstrip() in closers:
            body = lines[index + 1 : end]
            data = parse_simple_toml(body) if toml else parse_simple_yaml(body)
            blanked = lines[:index] + [""] * (end + 1 - index) + lines[end + 1 :]
            return data, (index, end + 1), "\n".join(blanked)
    return {}, None, text


def _scalar(value: str) -> Any:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    if value.startswith("[") and value.endswith("]"):
        return [_scalar(part) for part in value[1:-1].split(",") if part.strip()]
    return value


def parse_simple_toml(lines: list[str]) -> dict[str, Any]:
    """The top-level `key = value` lines of TOML front matter (Hugo, Zola); `[tables]` are ignored."""
    data: dict[str, Any] = {}
    for raw in lines:
        if raw.strip().startswith("["):
            break  # everything below a table header belongs to that table
        match = re.match(r"^([A-Za-z_][\w-]*)\s*=\s*(.*)$", raw.strip())
        if match:
            data[match.group(1).lower()] = _scalar(match.group(2))
    return data


def parse_simple_yaml(lines: list[str]) -> dict[str, Any]:
    """The subset of YAML that front matter uses: `key: value`, quoted strings, `[a, b]` and `- a` lists,
    and folded or literal block scalars (`key: >-` over indented lines). Anything else (nested maps,
    anchors) is ignored rather than guessed at."""
    data: dict[str, Any] = {}
    current: str | None = None
    folding: str | None = None
    for raw in lines:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s+-\s+(.*)$", raw) or re.match(r"^-\s+(.*)$", raw)
        if item and current is not None:
            existing = data.get(current)
            values = existing if isinstance(existing, list) else []
            values.append(_scalar(item.group(1)))
            data[current] = values
            continue
        match = re.match(r"^([A-Za-z_][\w .-]*?)\s*:\s*(.*)$", raw)
        if match and not raw[0].isspace():
            current = match.group(1).strip().lower()
            value = match.group(2).strip()
            block = re.fullmatch(r"([>|])[-+]?", value)
            data[current] = ("" if block else _scalar(value)) if value else []
            folding = block.group(1) if block else None
            continue
        if folding is not None and current is not None and raw[0].isspace():
            # A block scalar (`key: >-` or `key: |`) continues on indented lines.
            joiner = " " if folding == ">" else "\n"
            previous = data[current]
            data[current] = f"{previous}{joiner if previous else ''}{raw.strip()}"
        # Otherwise an indented continuation of a nested map: not used by our fields.
    return {key: (None if value == [] else value) for key, value in data.items()}
