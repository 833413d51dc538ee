"""Finding action sections by their headings, and what a heading says about the items under it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from tracker.importing.markdown import inline_tokens, plain

_ACTION_HEADING = re.compile(
    r"""
    \baction[\s-]*(?:items?|points?|plan|list|register|log|tracker)\b
    | \bactions?\s*(?:planned|taken|to\s+take|required|needed|and\s+follow[\s-]*ups?)\b
    | \b(?:review|corrective|preventive|preventative|remedial|remediation|follow[\s-]*up|planned|immediate|
           next|open|outstanding|key|post[\s-]*mortem|recommended|mitigation|improvement)\s+actions?\b
    | ^(?:our\s+)?actions?$
    | \bfollow[\s-]*ups?\b(?!\s+(?:review|meeting|date|call))
    | \bremediations?\b
    | \bcorrective\b
    | \bnext\s+steps\b
    | \bto[\s-]?dos?\b
    | \b(?:future|planned|further|short[\s-]*term|medium[\s-]*term|mid[\s-]*term|long[\s-]*term)\s+
        (?:improvements?|fixes|work|actions?|tasks?|items?)\b
    | \b(?:prevention|preventive|preventative)\s+(?:measures|steps|items|work)\b
    | \bwork\s+items\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[A-Z]\.)\s+")

# A heading or bold lead-in that states a status: "Completed", "In progress (next 2 weeks)", "(Done)".
_STATUS_WORDS = (
    r"completed?|done|finished|closed|resolved|in[\s-]?progress|ongoing|underway|not\s+started|open|to[\s-]?do|"
    r"pending|won'?t\s+do|wont\s+do|dropped|cancell?ed|abandoned"
)
_LEADING_STATUS = re.compile(rf"^(?P<s>{_STATUS_WORDS})\b", re.IGNORECASE)
_PAREN = re.compile(r"\(([^()]*)\)")
_WHOLE_STATUS = re.compile(rf"^(?P<s>{_STATUS_WORDS})$", re.IGNORECASE)
_DEADLINE_LABEL = re.compile(
    r"^(?:target|deadline|due(?:\s+date)?|due\s+by|eta|by|timeline|timeframe)\s*[:\-]?\s*(.+)$", re.IGNORECASE
)
_TIMEFRAME = re.compile(
    r"^(?:(?:next|within|in)\s+(?:\d+|a|one|two|three|four|six)\s+(?:days?|weeks?|months?|quarters?|sprints?)"
    r"|(?:this|next)\s+(?:week|sprint|month|quarter)|(?:end\s+of|by)\s+.+|q[1-4]\b.*|h[12]\b.*)$",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"\b((?:before|until|by)\s+.+?)\s*$", re.IGNORECASE)


def is_action_heading(text: str) -> bool:
    text = _NUMBERING.sub("", text).strip(" :#*_")
    return bool(_ACTION_HEADING.search(text))


@dataclass
class Context:
    """What the nearest heading or bold lead-in says about the items below it."""

    status_text: str | None = None
    deadline_text: str | None = None


def heading_context(text: str) -> Context:
    """Status and deadline a heading states: "Immediate Actions (Completed)", "In progress (next 2 weeks)",
    "Long-term Improvements (Target: Q4 2025 - Q1 2026)", "To complete before re-enabling ArgoCD sync"."""
    text = text.strip().rstrip(":").strip()
    context = Context()
    leading = _LEADING_STATUS.match(text)
    if leading:
        context.status_text = leading.group("s")
    for group in _PAREN.findall(text):
        inner = group.strip()
        if _WHOLE_STATUS.match(inner) and context.status_text is None:
            context.status_text = inner
            continue
        label = _DEADLINE_LABEL.match(inner)
        if label and context.deadline_text is None:
            context.deadline_text = label.group(1).strip()
        elif _TIMEFRAME.match(inner) and context.deadline_text is None:
            context.deadline_text = inner
    if context.deadline_text is None:
        outside = _PAREN.sub("", text).strip()
        before = _BEFORE.search(outside)
        if before and re.match(
            r"^(?:to\s+(?:be\s+)?(?:complete|done|finish)|due|complete|finish)", outside, re.I
        ):
            context.deadline_text = before.group(1)
    return context


def heading_text(node: SyntaxTreeNode) -> str:
    return plain(inline_tokens(node))


def heading_level(node: SyntaxTreeNode) -> int:
    return int(node.tag[1]) if node.tag and node.tag[1:].isdigit() else 6


def action_sections(blocks: list[SyntaxTreeNode]) -> list[tuple[int, int]]:
    """Index ranges [start, end) of top-level blocks that form action sections: the heading through the
    next heading at the same or a higher level. An action heading inside one extends it, never splits it."""
    sections: list[tuple[int, int]] = []
    index = 0
    while index < len(blocks):
        node = blocks[index]
        if node.type == "heading" and is_action_heading(heading_text(node)):
            level = heading_level(node)
            end = index + 1
            while end < len(blocks):
                other = blocks[end]
                if other.type == "heading" and heading_level(other) <= level:
                    break
                end += 1
            sections.append((index, end))
            index = end
        else:
            index += 1
    return sections
