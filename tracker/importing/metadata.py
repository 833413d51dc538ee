"""Incident metadata from front matter, "Field | Value" tables, "**Field:** value" lines and field headings."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from markdown_it.tree import SyntaxTreeNode

from tracker.deadlines import MONTHS, DeadlineKind, parse_deadline
from tracker.errors import InputError
from tracker.importing.drafts import DocumentMeta
from tracker.importing.markdown import collapse, inline_tokens, plain, to_plain
from tracker.importing.sections import heading_text

FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("incident title", "title", "incident name", "incident"),
    "date": (
        "date",
        "incident date",
        "date of incident",
        "incident start",
        "start date",
        "started",
        "occurred",
    ),
    "duration": (
        "duration",
        "total impact duration",
        "impact duration",
        "total duration",
        "length",
        "outage duration",
    ),
    "severity": ("severity", "sev", "severity level", "incident severity", "impact level"),
    "services": (
        "services affected",
        "affected services",
        "services",
        "service",
        "systems affected",
        "affected systems",
        "components affected",
        "affected components",
        "impacted services",
    ),
    "detection": ("detection method", "detection", "detected by", "how detected", "detected via"),
    "commander": (
        "incident commander",
        "ic",
        "commander",
        "incident lead",
        "incident manager",
        "incident owner",
    ),
    "review": (
        "follow up review",
        "follow up review date",
        "review date",
        "postmortem review",
        "postmortem review date",
        "action item review",
        "action items review",
        "review",
        "follow up date",
    ),
    "slug": ("slug", "id"),
}
_KEY_FIELD = {alias: name for name, aliases in FIELDS.items() for alias in aliases}
_EXTRA = (
    "authors",
    "author",
    "status",
    "customer impact",
    "time to detect",
    "time to resolve",
    "impact",
    "summary",
    "trigger",
    "root cause",
    "root causes",
    "resolution",
    "owner",
    "incident id",
    "ticket",
    "category",
    "layout",
    "tags",
    "confidential",
    "confidentiality",
    "classification",
    "visibility",
)
_HEADING_FIELDS = ("date", "severity", "duration", "services", "detection", "commander", "review")
_TABLE_HEADERS = {
    ("field", "value"),
    ("key", "value"),
    ("property", "value"),
    ("", ""),
    ("item", "value"),
    ("field", "details"),
    ("attribute", "value"),
    ("name", "value"),
}
_BOLD_FIELD = re.compile(
    r"^\s*(?:\*\*|__)(?P<k>[^*_]+?)\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:)\s*(?P<v>.+?)\s*$"
)
_PLAIN_FIELD = re.compile(r"^\s*(?P<k>[A-Za-z][A-Za-z -]{1,30}?)\s*:\s+(?P<v>.+?)\s*$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_RANGE = re.compile(
    r"^(?P<m>[A-Za-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*[-–]\s*\d{1,2}(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})$"
)


def field_for(key: str) -> str | None:
    normalised = collapse(re.sub(r"[^a-z0-9]+", " ", key.lower()))
    if normalised in _KEY_FIELD:
        return _KEY_FIELD[normalised]
    if normalised in _EXTRA:
        return "extra:" + normalised
    return None


_HARD_BREAK = re.compile(r"(?:\\|\s)+$")


def parse_incident_date(text: str, reference: date | None = None) -> tuple[date | None, bool]:
    """(date, invalid): a date with its year ("2015-10-21", "October 3, 2025", "27.11.2023", "January
    14-19, 2026" -> the first day); `reference` supplies the year when the text has none."""
    cleaned = re.sub(r"\s*\(.*\)\s*$", "", to_plain(text)).strip().rstrip(".")
    cleaned = re.sub(r"\s+(?:at\s+)?\d{1,2}:\d{2}.*$", "", cleaned)
    dotted = _DOTTED.match(cleaned)
    if dotted:
        try:
            return date(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1))), False
        except ValueError:
            return None, True
    span = _RANGE.match(cleaned)
    if span and span.group("m").lower() in MONTHS:
        try:
            return date(int(span.group("y")), MONTHS[span.group("m").lower()], int(span.group("d"))), False
        except ValueError:
            return None, True
    has_year = bool(re.search(r"\b\d{4}\b", cleaned))
    if not has_year and reference is None:
        return None, False
    parsed = parse_deadline(cleaned, reference or date(2000, 1, 1))
    if parsed.kind is DeadlineKind.INVALID:
        return None, True
    return parsed.date, False


class _Collector:
    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[str, tuple[str, int]] = {}  # field -> (value as written, 1-based line)

    def add(self, key: str, value: Any, line: int, force: bool = False) -> None:
        field = field_for(key)
        if field is None or value in (None, "", []):
            return
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = collapse(str(value))
        if force or field not in self.values:
            self.values[field] = (text, line)


def collect(
    front: dict[str, Any],
    front_line: int,
    blocks: list[SyntaxTreeNode],
    skip: set[int],
    name: str,
) -> tuple[DocumentMeta, dict[str, tuple[str, int]]]:
    """Read every metadata form; the first statement of a field wins, front matter first."""
    found = _Collector(name)
    for key, value in front.items():
        found.add(key, value, front_line)
    for index, node in enumerate(blocks):
        if index in skip:
            continue
        if node.type == "table":
            _from_table(node, found)
        elif node.type == "paragraph":
            _from_paragraph(node, found)
        elif node.type == "heading" and index + 1 < len(blocks) and blocks[index + 1].type == "paragraph":
            field = field_for(heading_text(node))
            if field in _HEADING_FIELDS:
                paragraph = blocks[index + 1]
                text = plain(inline_tokens(paragraph))
                if text and len(text) < 200:
                    found.add(heading_text(node), text, (paragraph.map or (0, 0))[0] + 1)
    meta = DocumentMeta()
    for field, (raw, _line) in found.values.items():
        text = _HARD_BREAK.sub(
            "", raw
        )  # a trailing backslash is a Markdown hard break, not part of the value
        if field.startswith("extra:"):
            meta.extra[field[6:]] = text
        elif field == "title":
            meta.title = to_plain(text)
        elif field == "slug":
            meta.slug = text
        elif field == "date":
            meta.date_text = text
        elif field == "duration":
            meta.duration = text
        elif field == "severity":
            meta.severity_text = text
        elif field == "services":
            meta.services = [s.strip() for s in re.split(r"\s*[,;]\s*", to_plain(text)) if s.strip()]
        elif field == "detection":
            meta.detection = text
        elif field == "commander":
            meta.commander = text
        elif field == "review":
            meta.review_text = text
    if meta.date_text:
        meta.incident_date, invalid = parse_incident_date(meta.date_text)
        if invalid:
            raise InputError(
                f"{name}:{found.values['date'][1]}: the incident date {meta.date_text!r} is not a valid date",
                hint="write it as 2026-06-19",
            )
    if meta.review_text:
        meta.review_date, invalid = parse_incident_date(meta.review_text, meta.incident_date)
        if invalid:
            raise InputError(
                f"{name}:{found.values['review'][1]}: the review date {meta.review_text!r} is not a valid date",
                hint="write it as 2026-07-03",
            )
    return meta, found.values


def _cell_text(cell: SyntaxTreeNode) -> str:
    return plain(inline_tokens(cell))


def _from_table(table: SyntaxTreeNode, found: _Collector) -> None:
    rows = [row for part in table.children for row in part.children if row.type == "tr"]
    if not rows or len(rows[0].children) != 2:
        return
    header = tuple(_cell_text(c) for c in rows[0].children)
    body = [tuple(_cell_text(c) for c in row.children) for row in rows[1:]]
    generic = tuple(h.lower() for h in header) in _TABLE_HEADERS
    known_rows = sum(1 for key, _ in body if field_for(key))
    header_is_row = (
        not generic
        and field_for(header[0]) is not None
        and known_rows > 0
        and header[1].lower() not in ("event", "description", "value", "details", "what happened")
    )
    if not generic and not header_is_row:
        return
    if header_is_row:
        found.add(header[0], header[1], (rows[0].map or (0, 0))[0] + 1)
    for row, (key, value) in zip(rows[1:], body, strict=False):
        found.add(key, value, (row.map or (0, 0))[0] + 1)


def _from_paragraph(node: SyntaxTreeNode, found: _Collector) -> None:
    inline = node.children[0] if node.children else None
    if inline is None:
        return
    start = (node.map or (0, 0))[0]
    for offset, line in enumerate(inline.content.split("\n")):
        match = _BOLD_FIELD.match(line)
        if match:
            found.add(match.group("k"), to_plain(match.group("v")), start + offset + 1)
            continue
        match = _PLAIN_FIELD.match(line)
        if match and field_for(match.group("k")) in (
            "date",
            "severity",
            "duration",
            "commander",
            "review",
            "detection",
            "services",
        ):
            found.add(match.group("k"), to_plain(match.group("v")), start + offset + 1)


def normalise_severity(text: str | None) -> str | None:
    """The severity's first word, lower case and alphanumeric: `SEV-2` -> `sev2`, `Major (High)` -> `major`."""
    if not text:
        return None
    first = re.split(r"[\s(/,]+", text.strip())[0].lower()
    return re.sub(r"[^a-z0-9]", "", first)[:50] or None


_DATED_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def name_day(*texts: str | None) -> date | None:
    """The first valid YYYY-MM-DD date in a file name or slug."""
    for text in texts:
        found = _DATED_NAME.search(Path(text).name if text else "")
        if found:
            try:
                return date(int(found[1]), int(found[2]), int(found[3]))
            except ValueError:
                continue
    return None
