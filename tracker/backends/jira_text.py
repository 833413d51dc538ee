"""Jira descriptions and comments: Markdown to wiki markup (v2) or ADF (v3), and the tracker block inside them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from tracker.backends.base import IssueContext
from tracker.backends.block import Block, block_lines, parse_lines

BLOCK_LANGUAGE = "tracker"
_WIKI_BLOCK = re.compile(
    r"(?ms)^\{(?P<tag>noformat|code)(?::[^}]*)?\}[ \t]*\n(?P<body>.*?)\n?^\{(?P=tag)\}[ \t]*$"
)
_FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_INLINE = re.compile(
    r"\*\*(?P<bold>[^*]+)\*\*|`(?P<code>[^`]+)`|\[(?P<text>[^\]]+)\]\((?P<url>[^)\s]+)\)"
    r"|\[~(?:accountid:)?(?P<mention>[^\]\s]+)\]"  # a mention, written as wiki markup: [~accountid:ID]
)


# ---- Markdown -> wiki markup (REST v2, Data Center) ---------------------------------------------------
def _wiki_inline(text: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group("mention") is not None:
            return m.group(0)  # already wiki markup
        if m.group("bold") is not None:
            return f"*{m.group('bold')}*"
        if m.group("code") is not None:
            return "{{" + m.group("code") + "}}"
        return f"[{m.group('text')}|{m.group('url')}]"

    return _INLINE.sub(sub, text)


def markdown_to_wiki(markdown: str) -> str:
    """A small Markdown subset (headings, bullets, code fences, bold, code, links) as Jira wiki markup."""
    out: list[str] = []
    fence: str | None = None
    for line in markdown.rstrip().splitlines():
        opened = _FENCE.match(line.strip())
        if fence is not None:
            if line.strip() == "```":
                out.append(fence)
                fence = None
            else:
                out.append(line)
        elif opened:
            fence = "{code}" if opened.group(1) else "{noformat}"
            out.append(f"{{code:{opened.group(1)}}}" if opened.group(1) else "{noformat}")
        elif heading := _HEADING.match(line):
            out.append(f"h{len(heading.group(1))}. {_wiki_inline(heading.group(2))}")
        elif bullet := _BULLET.match(line):
            out.append(f"* {_wiki_inline(bullet.group(1))}")
        else:
            out.append(_wiki_inline(line))
    if fence is not None:
        out.append(fence)
    return "\n".join(out)


# ---- Markdown -> Atlassian Document Format (REST v3) -------------------------------------------------
def _adf_inline(text: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            nodes.append({"type": "text", "text": text[pos : m.start()]})
        if m.group("bold") is not None:
            nodes.append({"type": "text", "text": m.group("bold"), "marks": [{"type": "strong"}]})
        elif m.group("code") is not None:
            nodes.append({"type": "text", "text": m.group("code"), "marks": [{"type": "code"}]})
        elif m.group("mention") is not None:
            nodes.append(
                {"type": "mention", "attrs": {"id": m.group("mention"), "text": "@" + m.group("mention")}}
            )
        else:
            mark = {"type": "link", "attrs": {"href": m.group("url")}}
            nodes.append({"type": "text", "text": m.group("text"), "marks": [mark]})
        pos = m.end()
    if pos < len(text):
        nodes.append({"type": "text", "text": text[pos:]})
    return nodes


def _paragraph(lines: list[str]) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for n, line in enumerate(lines):
        if n:
            content.append({"type": "hardBreak"})
        content.extend(_adf_inline(line))
    return {"type": "paragraph", "content": content}


def markdown_to_adf_nodes(markdown: str) -> list[dict[str, Any]]:
    """The same Markdown subset as ADF block nodes (paragraphs, headings, bullet lists, code blocks)."""
    nodes: list[dict[str, Any]] = []
    para: list[str] = []
    items: list[dict[str, Any]] = []
    code: list[str] | None = None
    language = ""

    def flush() -> None:
        if para:
            nodes.append(_paragraph(para))
            para.clear()
        if items:
            nodes.append({"type": "bulletList", "content": list(items)})
            items.clear()

    for line in markdown.rstrip().splitlines():
        if code is not None:
            if line.strip() == "```":
                nodes.append(code_block("\n".join(code), language or None))
                code = None
            else:
                code.append(line)
            continue
        if opened := _FENCE.match(line.strip()):
            flush()
            code, language = [], opened.group(1)
        elif heading := _HEADING.match(line):
            flush()
            level = len(heading.group(1))
            nodes.append(
                {"type": "heading", "attrs": {"level": level}, "content": _adf_inline(heading.group(2))}
            )
        elif bullet := _BULLET.match(line):
            if para:
                nodes.append(_paragraph(para))
                para.clear()
            items.append({"type": "listItem", "content": [_paragraph([bullet.group(1)])]})
        elif not line.strip():
            flush()
        else:
            if items:
                flush()
            para.append(line)
    if code is not None:
        nodes.append(code_block("\n".join(code), language or None))
    flush()
    return nodes


def markdown_to_adf(markdown: str) -> dict[str, Any]:
    return {"type": "doc", "version": 1, "content": markdown_to_adf_nodes(markdown)}


def code_block(text: str, language: str | None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "codeBlock", "content": [{"type": "text", "text": text}] if text else []}
    if language:
        node["attrs"] = {"language": language}
    return node


# ---- the tracker block inside a description ----------------------------------------------------------
def _block_text(marker: str, context: IssueContext, due: date | None) -> str:
    return "\n".join(block_lines(marker, context, due))


def compose_description(intro: str, marker: str, context: IssueContext, due: date | None, adf: bool) -> Any:
    """Intro (Markdown) and the tracker block: a {noformat} block in v2, an ADF codeBlock in v3."""
    text = _block_text(marker, context, due)
    if adf:
        return {
            "type": "doc",
            "version": 1,
            "content": [*markdown_to_adf_nodes(intro), code_block(text, BLOCK_LANGUAGE)],
        }
    return f"{markdown_to_wiki(intro)}\n\n{{noformat}}\n{text}\n{{noformat}}".lstrip()


def _is_ours(text: str) -> bool:
    block = parse_lines(text)
    return block.marker is not None or text.lstrip().startswith("Postmortem:")


def _adf_text(node: dict[str, Any]) -> str:
    parts = []
    for child in node.get("content") or []:
        if child.get("type") == "text":
            parts.append(str(child.get("text", "")))
        elif child.get("type") == "hardBreak":
            parts.append("\n")
    return "".join(parts)


def _find_adf(doc: dict[str, Any]) -> int | None:
    for index, node in enumerate(doc.get("content") or []):
        if isinstance(node, dict) and node.get("type") == "codeBlock" and _is_ours(_adf_text(node)):
            return index
    return None


def _find_wiki(text: str) -> re.Match[str] | None:
    return next((m for m in _WIKI_BLOCK.finditer(text) if _is_ours(m.group("body"))), None)


def parse_description(description: Any) -> Block | None:
    """The tracker block of a description in either form (wiki string or ADF), or None when removed."""
    if isinstance(description, dict):
        index = _find_adf(description)
        return parse_lines(_adf_text(description["content"][index])) if index is not None else None
    if isinstance(description, str):
        match = _find_wiki(description)
        return parse_lines(match.group("body")) if match else None
    return None


def edit_block(description: Any, edit: Callable[[str], str]) -> Any | None:
    """The description with only the tracker block's text passed through `edit`; None when there is no block."""
    if isinstance(description, dict):
        index = _find_adf(description)
        if index is None:
            return None
        content = list(description["content"])
        content[index] = code_block(edit(_adf_text(content[index])), BLOCK_LANGUAGE)
        return {**description, "content": content}
    if isinstance(description, str):
        match = _find_wiki(description)
        if match is None:
            return None
        tag = match.group("tag")
        opener = description[match.start() : description.index("}", match.start()) + 1]
        body = edit(match.group("body"))
        return f"{description[: match.start()]}{opener}\n{body}\n{{{tag}}}{description[match.end() :]}"
    return None


def replace_block(description: Any, marker: str, context: IssueContext, due: date | None) -> Any | None:
    """The description with only the tracker block re-rendered (every byte a person wrote is kept)."""
    text = _block_text(marker, context, due)
    return edit_block(description, lambda _old: text)


def set_deadline_line(description: Any, due: date | None) -> Any | None:
    line = f"Deadline: {due.isoformat() if due else 'none'}"
    return edit_block(description, lambda old: re.sub(r"(?m)^Deadline:.*$", line, old))


def comment_body(markdown: str, adf: bool) -> Any:
    return markdown_to_adf(markdown) if adf else markdown_to_wiki(markdown)
