"""Conversions between Jira wiki-markup strings (REST v2) and Atlassian Document Format (REST v3)."""

from __future__ import annotations

from typing import Any

ADF_ERROR = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
STRING_ERROR = "Operation value must be a string"


def is_adf(value: Any) -> bool:
    """Whether `value` is a well-formed ADF root, as v3 demands for descriptions and comment bodies."""
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
        and all(isinstance(node, dict) and isinstance(node.get("type"), str) for node in value["content"])
    )


def _text_nodes(line_block: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    for i, line in enumerate(line_block.split("\n")):
        if i:
            nodes.append({"type": "hardBreak"})
        if line:
            nodes.append({"type": "text", "text": line})
    return nodes


def text_to_adf(text: str | None) -> dict[str, Any] | None:
    """Render a v2 string for a v3 reader: {code} blocks, h1.-h6. headings, '* ' lists, paragraphs."""
    if text is None:
        return None
    content: list[dict[str, Any]] = []
    lines = text.split("\n")
    i = 0
    para: list[str] = []

    def flush() -> None:
        if para:
            content.append({"type": "paragraph", "content": _text_nodes("\n".join(para))})
            para.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("{code") or stripped.startswith("{noformat"):
            flush()
            tag = "{code}" if stripped.startswith("{code") else "{noformat}"
            lang = stripped[6:-1] if stripped.startswith("{code:") else ""
            body: list[str] = []
            i += 1
            while i < len(lines) and lines[i].strip() != tag:
                body.append(lines[i])
                i += 1
            node: dict[str, Any] = {
                "type": "codeBlock",
                "content": [{"type": "text", "text": "\n".join(body)}],
            }
            if lang:
                node["attrs"] = {"language": lang}
            content.append(node)
        elif len(stripped) > 3 and stripped[0] == "h" and stripped[1] in "123456" and stripped[2:4] == ". ":
            flush()
            heading = {"type": "heading", "attrs": {"level": int(stripped[1])}}
            content.append({**heading, "content": _text_nodes(stripped[4:])})
        elif stripped.startswith("* "):
            flush()
            items = []
            while i < len(lines) and lines[i].strip().startswith("* "):
                text_nodes = _text_nodes(lines[i].strip()[2:])
                items.append({"type": "listItem", "content": [{"type": "paragraph", "content": text_nodes}]})
                i += 1
            content.append({"type": "bulletList", "content": items})
            continue
        elif not stripped:
            flush()
        else:
            para.append(line)
        i += 1
    flush()
    return {"type": "doc", "version": 1, "content": content}


def _inline_text(nodes: list[dict[str, Any]]) -> str:
    out = []
    for node in nodes:
        kind = node.get("type")
        if kind == "text":
            out.append(str(node.get("text", "")))
        elif kind == "hardBreak":
            out.append("\n")
        elif kind == "mention":
            out.append(f"[~accountid:{node.get('attrs', {}).get('id', '')}]")
        elif "content" in node:
            out.append(_inline_text(node["content"]))
    return "".join(out)


def adf_to_text(doc: Any) -> str | None:
    """Render a v3 document for a v2 reader, as wiki markup."""
    if doc is None:
        return None
    if isinstance(doc, str):
        return doc
    blocks: list[str] = []
    for node in doc.get("content", []):
        kind = node.get("type")
        inner = node.get("content", [])
        if kind == "codeBlock":
            lang = node.get("attrs", {}).get("language")
            opener = f"{{code:{lang}}}" if lang else "{code}"
            blocks.append(f"{opener}\n{_inline_text(inner)}\n{{code}}")
        elif kind == "heading":
            blocks.append(f"h{node.get('attrs', {}).get('level', 1)}. {_inline_text(inner)}")
        elif kind in ("bulletList", "orderedList"):
            mark = "*" if kind == "bulletList" else "#"
            blocks.append("\n".join(f"{mark} {_inline_text(item.get('content', []))}" for item in inner))
        else:
            blocks.append(_inline_text(inner))
    return "\n\n".join(blocks)


def for_version(value: Any, version: str) -> Any:
    """A stored rich-text value as the given REST version shows it."""
    return (
        text_to_adf(value)
        if version == "3" and isinstance(value, str)
        else (adf_to_text(value) if version != "3" and isinstance(value, dict) else value)
    )


def check_rich_text(value: Any, version: str) -> str | None:
    """The error message Jira gives for a rich-text value of the wrong shape for the REST version."""
    if value is None:
        return None
    if version == "3":
        return None if is_adf(value) else ADF_ERROR
    return None if isinstance(value, str) else STRING_ERROR
