"""Finding action sections by their headings, and what a heading says about the items under it."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from markdown_it.tree import SyntaxTreeNode

from tracker.importing.markdown import inline_tokens, plain
from tracker.provenance import Shaped
from tracker.statuses import Status, parse_status

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
    | \bwhat\s+we(?:'re|’re|\s+are|'ll|’ll|\s+will|'ve|’ve|\s+have)?\s+(?:doing|going\s+to\s+do|do(?:ing)?|did|done|
         fixing|improving|changing|change|plan(?:ned|ning)?)\b
    | \b(?:looking|going|moving|path)\s+(?:forward|ahead)\b
    | \blessons?\s+learn(?:ed|t)\s+(?:and|&)\s+(?:improvements|actions|next\s+steps|changes|fixes)\b
    | ^(?:immediate|(?:short|medium|mid|long|near)[\s-]*term)(?:\s+(?:actions?|fixes|items|tasks|work|changes|
        improvements?|remediations?|follow[\s-]*ups?|goals|plans?))?\s*(?:\(.*\))?$
    | \b(?:the\s+)?(?:following|next|coming)\s+(?:\d+|two|three|four|few|couple\s+of)\s+(?:days|weeks|months|sprints)\b
    | \b(?:preventing|prevention\s+of|how\s+we(?:'ll|\s+will)?\s+prevent)\b
    | \b(?:changes|fixes|improvements|steps|measures|tasks)\s+(?:planned|taken|made|we(?:'re|\s+are|\s+will)?\s*(?:making|make|take|taking)|
        we(?:'ve|’ve|\s+have)?\s*(?:made|taken|took))\b
    | ^(?:(?:our|proposed|planned|suggested|recommended|required|further)\s+)?(?:improvements?|recommendations?|fixes|
        countermeasures|preventive\s+measures|tasks)(?:\s*(?:,|and|&)\s*(?:improvements?|recommendations?|fixes|
        next\s+steps|follow[\s-]*ups?|actions?|tasks|lessons(?:\s+learn(?:ed|t))?))*$
    | \bwhat(?:'s|’s|\s+is|\s+comes|\s+happens)\s+next\b
    | \b(?:post[\s-]*(?:incident|mortem)|open|outstanding|remaining|pending|tracked|planned)\s+
        (?:tasks|items|work|todos?)\b
    | \b(?:tickets|issues|bugs)\s+(?:filed|created|opened|raised)\b
    | ^prevention$
    | \b(?:areas|opportunities)\s+for\s+improvement\b|\bthings\s+to\s+improve\b|\bwhat\s+we\s+(?:can|will)\s+improve\b
    | \b(?:planned|future|proposed|long[\s-]*term)\s+mitigations?\b|\bmitigation\s+plan\b
    | \bcountermeasures\b
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
# Work already done: "Actions taken", "Immediate actions taken", "What we did", "What we've done".
_TAKEN = re.compile(
    r"\b(?:actions?|steps|measures|changes|fixes|mitigations?)\s+(?:already\s+)?(?:taken|completed|implemented|made|done)\b|"
    r"\bwhat\s+we(?:'ve|’ve|\s+have)?\s+(?:did|done|already\s+done)\b",
    re.IGNORECASE,
)
_STATUS_LIST = re.compile(
    rf"^(?:{_STATUS_WORDS}|recommended|proposed|planned|suggested)(?:\s*(?:,|/|\bor\b|\band\b)\s*"
    rf"(?:{_STATUS_WORDS}|recommended|proposed|planned|suggested))+$",
    re.IGNORECASE,
)


def read_status(text: str | None) -> Status | None:
    """The status a text names; a heading or label that says the work was taken counts as done."""
    status = parse_status(text)
    if status is None and text and _TAKEN.search(text):
        return Status.DONE
    return status


_PAREN = re.compile(r"\(([^()]*)\)")
_WHOLE_STATUS = re.compile(rf"^(?P<s>{_STATUS_WORDS})$", re.IGNORECASE)
_DEADLINE_LABEL = re.compile(
    r"^(?:target|deadline|due(?:\s+date)?|due\s+by|eta|by|timeline|timeframe)\s*[:\-]?\s*(.+)$", re.IGNORECASE
)
_TIMEFRAME = re.compile(
    # "next 2 weeks", and the short forms of a runbook-style recovery list: "Next 30min", "Next 2h", "Next 24h".
    r"^(?:(?:next|within|in)\s+(?:\d+|a|an|one|two|three|four|six)\s*(?:days?|weeks?|months?|quarters?|sprints?|"
    r"h(?:(?:ou)?rs?)?|min(?:ute)?s?)\b"
    r"|(?:this|next)\s+(?:week|sprint|month|quarter)|(?:end\s+of|by)\s+.+|q[1-4]\b.*|h[12]\b.*)$",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"\b((?:before|until|by)\s+.+?)\s*$", re.IGNORECASE)


# Sections that are never read for items, and whose sub-headings are not either: a "Follow-up" entry in a
# timeline is an event, not a list of actions.
_NEVER = re.compile(r"\b(?:timeline|chronology|sequence\s+of\s+events|log\s+of\s+events)\b", re.IGNORECASE)
_TIMESTAMP = re.compile(
    r"^\s*(?:~|approx\.?\s*)?(?:\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}|\[\d{4}-\d{2}-\d{2}\]|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b)",
    re.IGNORECASE,
)


def _clean(text: str) -> str:
    return _NUMBERING.sub("", text).strip(" :#*_")


# Phrasings met only in particular organisations' documents (tracker.provenance).
_SHAPED_HEADINGS = (
    (Shaped("hexpm"), re.compile(r"\bwhat\s+we(?:'ve|’ve|\s+have)?\s+(?:changed|improved)\b", re.IGNORECASE)),
)
# A short noun phrase whose head noun is "action(s)" names a list of actions whatever the words before it
# ("Resulting Action", "Recommended actions", "Our team's actions", "Further actions (open)"), except
# when the actions are someone else's (users', an attacker's) or were the incident response itself
# (recovery, troubleshooting: as with mitigations during the incident, not follow-up work).
_HEAD_NOUN_ACTIONS = re.compile(
    r"^(?!.*\b(?:users?|customers?|clients?|your|their|attacker'?s?|malicious|suspicious|unauthori[sz]ed|manual|"
    r"emergency|incident|response|responders?'?|mitigating|containment|recovery|restoration|troubleshooting|"
    r"diagnostic|debugging|investigative|to)\s+actions?\b)"
    r"(?:[^\W\d_][\w'’-]*\s+){1,3}actions?\s*(?:\([^()]*\))?$",
    re.IGNORECASE,
)
# "TODO Configuration management", "DONE Rotate keys": an item heading with its status in front, not a
# section of to-dos (a heading that is only "TODO" or "TODO list" still is one).
_ITEM_STATUS_PREFIX = re.compile(
    r"^(?:TODO|DONE|WIP|FIXED|WONTFIX|WONTDO)\b(?:\s*[:-])?\s+(?=\S)(?!(?i:list|items?|tasks?)\b)"
)


def is_action_heading(text: str, extra: Collection[str] = ()) -> bool:
    """A heading (or bold lead-in) that names a place for action items; `extra` are a team's own names
    (`[import] sections`), matched as whole words in any case."""
    text = _clean(text)
    prefix = _ITEM_STATUS_PREFIX.match(re.sub(r"^(?:\d{1,3}[.)]|[A-Za-z][)]|#\d{1,3}[.:)]?)\s+", "", text))
    if prefix and not is_action_heading(prefix.string[prefix.end() :], extra):
        return False
    if _ACTION_HEADING.search(text) or _HEAD_NOUN_ACTIONS.match(text):
        return True
    if any(shaped.active and pattern.search(text) for shaped, pattern in _SHAPED_HEADINGS):
        return True
    lowered = text.lower()
    return any(
        re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered) for name in extra if name.strip()
    )


# A sub-heading inside an action section that reviews the incident rather than acting on it ("What went
# well", "Root cause", "Impact"): nothing under it is an item.
_REVIEW_PART = re.compile(
    r"^(?:the\s+)?(?:root\s+causes?|contributing\s+factors?|(?:customer\s+|user\s+|business\s+)?impact|"
    r"(?:things\s+that|what)\s+went\s+(?:well|wrong|poorly|badly)|what\s+(?:worked|didn'?t\s+(?:work|go\s+well))|"
    r"(?:where|how)\s+we\s+got\s+lucky)\b",
    re.IGNORECASE,
)


def without_review_parts(body: list[SyntaxTreeNode]) -> list[SyntaxTreeNode]:
    """An action section's blocks without its review sub-headings (What went well, Root cause, Timeline)
    and what is under them."""
    kept: list[SyntaxTreeNode] = []
    skipping: int | None = None  # the level of the review sub-heading being skipped
    for node in body:
        if node.type == "heading":
            level = heading_level(node)
            if skipping is not None and level <= skipping:
                skipping = None
            text = _clean(heading_text(node))
            if skipping is None and (_REVIEW_PART.match(text) or _NEVER.search(text)):
                skipping = level
        if skipping is None:
            kept.append(node)
    return kept


def never_actions(text: str) -> bool:
    """A timeline heading or a time-stamped entry: nothing under it is an action item."""
    return bool(_NEVER.search(text) or _TIMESTAMP.match(text))


@dataclass
class Context:
    """What the nearest heading or bold lead-in says about the items below it."""

    status_text: str | None = None
    deadline_text: str | None = None
    owner_text: str | None = None  # a bold owner line over a group of bullets


def merge(base: Context, inner: Context) -> Context:
    return Context(
        inner.status_text or base.status_text,
        inner.deadline_text or base.deadline_text,
        inner.owner_text or base.owner_text,
    )


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
        if (_WHOLE_STATUS.match(inner) or _STATUS_LIST.match(inner)) and context.status_text is None:
            context.status_text = inner
            continue
        label = _DEADLINE_LABEL.match(inner)
        if label and context.deadline_text is None:
            context.deadline_text = label.group(1).strip()
        elif _TIMEFRAME.match(inner) and context.deadline_text is None:
            context.deadline_text = inner
    if context.status_text is None and _TAKEN.search(text):
        context.status_text = text
    if context.deadline_text is None:
        outside = _PAREN.sub("", text).strip()
        before = _BEFORE.search(outside)
        if before and re.match(
            r"^(?:to\s+(?:be\s+)?(?:complete|done|finish)|due|complete|finish)", outside, re.I
        ):
            context.deadline_text = before.group(1)
    return context


_GROUP_LABEL = re.compile(
    r"^(?:(?:immediate|short|medium|mid|long|near)[\s-]*term|immediate|now|next|later|soon|future|ongoing|"
    r"p[0-4]|priority\b|phase\s+\w+|(?:high|medium|low)(?:\s+priority)?$|completed?|done|in\s+progress|open|"
    r"planned|to\s*do|not\s+started|pending|"
    # The kinds of follow-up work a postmortem template sorts its items into (prevent, detect, mitigate,
    # repair, process, fixes, other): "### Mitigation" over its items groups them, it is not one.
    r"(?:prevent(?:ion|ive)?|detect(?:ion)?|mitigat(?:e|ion)|repair|process|fix(?:es)?|other)"
    r"(?:\s+(?:actions?|items?|measures?|tasks?|work))?$)",
    re.IGNORECASE,
)

_NUMBER = re.compile(r"^\s*(?:\d{1,3}[.)]|[A-Za-z][)]|#\d{1,3}[.:)]?)\s+")
_WORD_STATUS = re.compile(r"^(?P<v>TODO|DONE|WIP|FIXED|WONTFIX|WONTDO)\b(?:\s*[:-])?\s+(?=\S)")


# "Action item 1: Add disk alerts", "AI-3 - Shard the store", "Action: Rotate keys": a heading that is one
# item, its marker in front (as `**Action item:** text` marks a paragraph); a marker other than "action
# item" / "AI" needs its number ("Follow-up 2: ...", "Task 4: ..."), and a plural ("Action items:
# Database") names a group.
_ITEM_MARKER = re.compile(
    r"^(?:(?:action\s+item|ai|action)(?:\s*[#-]?\s*\d{1,3})?|(?:action|task|follow[\s-]*up)\s*[#-]?\s*\d{1,3})"
    r"\s*[:.)\-–—]\s+(?P<title>\S.*)$",
    re.IGNORECASE,
)


def item_marker(text: str) -> str | None:
    """The title of a heading that is one item behind a marker ("Action item 1: Add disk alerts"), else None."""
    match = _ITEM_MARKER.match(_NUMBER.sub("", text.strip()))
    return match.group("title").strip() if match else None


def is_group_label(text: str) -> bool:
    """A sub-heading that groups items (Short-term, Completed, P1, "Detection actions") rather than being one."""
    cleaned = _NUMBER.sub("", text).strip(" :*_")
    if _WORD_STATUS.match(cleaned) or item_marker(cleaned):
        return (
            False  # "TODO Configuration management", "Action item 2: Shard": an item, status or marker first
        )
    context = heading_context(cleaned)
    return bool(
        is_action_heading(cleaned)
        or context.status_text
        or context.deadline_text
        or _GROUP_LABEL.match(cleaned)
    )


def heading_text(node: SyntaxTreeNode) -> str:
    return plain(inline_tokens(node))


def heading_level(node: SyntaxTreeNode) -> int:
    return int(node.tag[1]) if node.tag and node.tag[1:].isdigit() else 6


@dataclass
class Candidate:
    """A heading or lead-in considered as an action section, and why it was taken or skipped (--explain)."""

    line: int  # 1-based
    text: str
    taken: bool
    reason: str


def action_sections(
    blocks: list[SyntaxTreeNode], extra: Collection[str] = (), candidates: list[Candidate] | None = None
) -> list[tuple[int, int]]:
    """Index ranges [start, end) of top-level blocks that form action sections: the heading through the
    next heading at the same or a higher level. An action heading inside one extends it, never splits it.
    Headings inside a timeline, and time-stamped headings, are never action sections."""
    sections: list[tuple[int, int]] = []
    never_level: int | None = None  # inside a timeline down to this heading level
    index = 0
    while index < len(blocks):
        node = blocks[index]
        if node.type != "heading":
            index += 1
            continue
        level = heading_level(node)
        text = heading_text(node)
        line = (node.map or (0, 0))[0] + 1
        if never_level is not None and level <= never_level:
            never_level = None
        if never_level is not None:
            note_candidate(
                candidates, line, text, False, "inside a timeline: its entries are events, not actions"
            )
        elif (
            never_actions(text)
            and (level > 1 or _NEVER.search(text))
            and not _is_first_heading(blocks, index)
        ):
            never_level = level
            note_candidate(
                candidates, line, text, False, "a timeline or a time-stamped entry: never read for items"
            )
        elif is_action_heading(text, extra) and _is_title_over_sections(blocks, index, extra):
            note_candidate(
                candidates,
                line,
                text,
                False,
                "the document's title: the sections under it are read one by one",
            )
        elif is_action_heading(text, extra) or item_marker(text):
            end = index + 1
            while end < len(blocks):
                other = blocks[end]
                if other.type == "heading" and heading_level(other) <= level:
                    break
                end += 1
            reason = (
                "a heading naming actions"
                if is_action_heading(text)
                else "named in [import] sections"
                if is_action_heading(text, extra)
                else "a heading that is one action item"
            )
            note_candidate(candidates, line, text, True, reason)
            sections.append((index, end))
            index = end
            continue
        else:
            note_candidate(candidates, line, text, False, "no action words in the heading")
        index += 1
    return sections


def _is_title_over_sections(blocks: list[SyntaxTreeNode], index: int, extra: Collection[str]) -> bool:
    """The document's first heading with the write-up's own sections below it (a timeline, or a section that
    names actions): its words name the incident ("Traefik rule preventing some inbound traffic",
    "Remediation of the billing outage"), and taken as an action section it would swallow the document."""
    if not _is_first_heading(blocks, index):
        return False
    level = heading_level(blocks[index])
    below = [heading_text(b) for b in blocks[index + 1 :] if b.type == "heading" and heading_level(b) > level]
    return any(never_actions(t) or is_action_heading(t, extra) for t in below)


def _is_first_heading(blocks: list[SyntaxTreeNode], index: int) -> bool:
    """The document's title may well start with its date ("2018-10-09: API outage")."""
    return not any(block.type == "heading" for block in blocks[:index])


def note_candidate(
    candidates: list[Candidate] | None, line: int, text: str, taken: bool, reason: str
) -> None:
    if candidates is not None:
        candidates.append(Candidate(line, text, taken, reason))
