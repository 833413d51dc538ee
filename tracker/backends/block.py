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

    @property
    def unreadable_deadline(self) -> str | None:
        """The Deadline line's text when it is neither a date nor "none" (a person's typo): unknown."""
        text = (self.deadline_text or "").strip()
        if self.deadline is not None or not text or text == "none" or text.startswith("none ("):
            return None
        return text


# Control characters (and the Unicode line breaks) a value must not carry into the block.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
_ESCAPED = re.compile(r"\\(?:[nrt\\]|x[0-9a-f]{2}|u[0-9a-f]{4})")


def one_line(value: str) -> str:
    """A value as one block line: line breaks and control characters escaped (\\n, \\x07, ...)."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in _ESCAPES:
            return _ESCAPES[char]
        return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    return _UNSAFE.sub(escape, value)


def unescape(value: str) -> str:
    def back(match: re.Match[str]) -> str:
        text = match.group()
        if text[1] in "xu":
            return chr(int(text[2:], 16))
        return {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}[text[1]]

    return _ESCAPED.sub(back, value)


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
        f"Postmortem: {one_line(postmortem)}",
        f"Owner: {one_line(context.owner_text or 'none')}",
        f"Deadline: {one_line(deadline)}",
        f"Item: {context.item_id if context.item_id is not None else '-'}",
        f"Marker: {one_line(marker)}",
    ]


def render_markdown_block(marker: str, context: IssueContext, due: date | None) -> str:
    return "\n".join([FENCE_OPEN, *block_lines(marker, context, due), FENCE_CLOSE])


def parse_lines(text: str) -> Block:
    """Read block lines (already unwrapped from their fence or code block); the last of a key wins,
    as we write each key once and only a person's edit below ours can repeat it."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            values[match.group("key").strip().lower()] = unescape(match.group("value"))
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
    match = last_block(body)
    if match is None:
        return None
    return parse_lines(match.group("body"))


def last_block(body: str | None) -> re.Match[str] | None:
    """The block we wrote: always the last fenced tracker block (we append it after the intro), so
    anything that looks like one above it is text, not ours."""
    if not body:
        return None
    matches = list(_FENCED.finditer(body))
    return matches[-1] if matches else None


def compose_markdown_body(intro: str, marker: str, context: IssueContext, due: date | None) -> str:
    return f"{intro.rstrip()}\n\n{render_markdown_block(marker, context, due)}\n"


def replace_markdown_block(body: str | None, marker: str, context: IssueContext, due: date | None) -> str:
    """Swap the tracker block and our intro's owner/deadline line; every byte a person wrote is kept."""
    block = render_markdown_block(marker, context, due)
    found = last_block(body)
    if body and found is not None:
        start, end = found.span()
        return refresh_intro(body[:start], context) + block + body[end:]
    return f"{(body or '').rstrip()}\n\n{block}\n".lstrip("\n")


# The line the default body template writes ("Owner: $owner · Deadline: $deadline"): ours to keep current.
_INTRO_LINE = re.compile(r"(?m)^Owner: [^\n]* · Deadline: [^\n]*$")


def refresh_intro(intro: str, context: IssueContext) -> str:
    line = f"Owner: {one_line(context.owner_text or 'none')} · Deadline: {one_line(context.deadline_text or 'none')}"
    return _INTRO_LINE.sub(lambda _m: line, intro, count=1)
