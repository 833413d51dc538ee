"""The tracker block inside an issue body: fixed, parseable lines (marker, deadline, owner) we own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tracker.backends.base import IssueContext

FENCE_OPEN = "```tracker"
FENCE_CLOSE = "```"
_FENCED = re.compile(r"(?ms)^```tracker[ \t]*\n(?P<body>.*?)^```[ \t]*$")
_LINE = re.compile(r"^(?P<key>[A-Za-z][A-Za-z ]*?)\s*:\s*(?P<value>.*?)\s*$")
_MARKER = re.compile(r"^tracker-[0-9a-f]{16,64}$")


@dataclass(frozen=True)
class Block:
    """The values the block carries; `deadline` is the one line people may edit by hand."""

    marker: str | None
    deadline: date | None
    deadline_text: str | None
    owner: str | None
    postmortem: str | None
    item: str | None


def block_lines(marker: str, context: IssueContext, due: date | None) -> list[str]:
    """The block's lines, in a fixed order so edits and parsing are predictable."""
    incident = ", ".join(
        part
        for part in (context.incident_date.isoformat() if context.incident_date else None, context.severity)
        if part
    )
    postmortem = context.postmortem_slug + (f" ({incident})" if incident else "")
    deadline = (
        due.isoformat() if due else (f"none ({context.deadline_text})" if context.deadline_text else "none")
    )
    return [
        f"Postmortem: {postmortem}",
        f"Owner: {context.owner_text or 'none'}",
        f"Deadline: {deadline}",
        f"Item: {context.item_id if context.item_id is not None else '-'}",
        f"Marker: {marker}",
    ]


def render_markdown_block(marker: str, context: IssueContext, due: date | None) -> str:
    return "\n".join([FENCE_OPEN, *block_lines(marker, context, due), FENCE_CLOSE])


def parse_lines(text: str) -> Block:
    """Read block lines (already unwrapped from their fence or code block)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            values.setdefault(match.group("key").strip().lower(), match.group("value"))
    marker = values.get("marker")
    if marker is not None and not _MARKER.match(marker):
        marker = None
    deadline_text = values.get("deadline")
    deadline = None
    if deadline_text:
        found = re.match(r"^(\d{4})-(\d{2})-(\d{2})\b", deadline_text)
        if found:
            try:
                deadline = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
            except ValueError:
                deadline = None
    owner = values.get("owner")
    return Block(
        marker=marker,
        deadline=deadline,
        deadline_text=deadline_text,
        owner=None if owner in (None, "none") else owner,
        postmortem=(values.get("postmortem") or "").split(" (")[0] or None,
        item=values.get("item"),
    )


def parse_markdown_body(body: str | None) -> Block | None:
    """The block in a Markdown issue body, or None when a person removed it."""
    if not body:
        return None
    match = _FENCED.search(body)
    if match is None:
        return None
    return parse_lines(match.group("body"))


def compose_markdown_body(intro: str, marker: str, context: IssueContext, due: date | None) -> str:
    return f"{intro.rstrip()}\n\n{render_markdown_block(marker, context, due)}\n"


def replace_markdown_block(body: str | None, marker: str, context: IssueContext, due: date | None) -> str:
    """Swap only the tracker block; every byte a person wrote around it is kept."""
    block = render_markdown_block(marker, context, due)
    if body and _FENCED.search(body):
        return _FENCED.sub(lambda _m: block, body, count=1)
    return f"{(body or '').rstrip()}\n\n{block}\n".lstrip("\n")
