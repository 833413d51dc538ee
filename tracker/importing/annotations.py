"""Owners, deadlines and statuses written inside an item's own text: `@x`, `(owner: x)`, `due Jul 1`, ✅."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date

from tracker.deadlines import DeadlineKind, parse_deadline
from tracker.importing.markdown import to_plain
from tracker.importing.owners import sentence_owner
from tracker.importing.refs import find_refs

_REFERENCE_DAY = date(2000, 1, 1)  # only the kind of a deadline matters here, not its year

CHECKBOX = re.compile(r"^\[( |x|X)\]\s+")
STATUS_EMOJI = r"✅|✔️|✔|☑️|☑|🔲|⬜|☐|❌|🚫|🚧|⏳|🟢|🟡|🔴"
_LEADING_EMOJI = re.compile(rf"^({STATUS_EMOJI})\s*")
_TRAILING_EMOJI = re.compile(rf"\s*({STATUS_EMOJI})\s*$")
_OWNER_KEYS = r"owners?|assignee|assigned\s+to|dri|who|responsible"
_DEADLINE_KEYS = r"deadline|due(?:\s+date|\s+by)?|eta|target(?:\s+date)?|by|when"
_STATUS_KEYS = r"status|state"
_REF_KEYS = r"issue|ticket|tracking|bug|link|jira|github"
_PRIORITY_KEYS = r"priority|prio|type"
_KEYED = re.compile(
    rf"^\s*(?P<key>{_OWNER_KEYS}|{_DEADLINE_KEYS}|{_STATUS_KEYS}|{_REF_KEYS}|{_PRIORITY_KEYS})\s*[:=]\s*(?P<value>.+?)\s*$",
    re.IGNORECASE,
)
_KEY_SPLIT = re.compile(
    rf"\s*;\s*|\s*,\s*(?=(?:{_OWNER_KEYS}|{_DEADLINE_KEYS}|{_STATUS_KEYS}|{_REF_KEYS}|{_PRIORITY_KEYS})\s*[:=])",
    re.IGNORECASE,
)
_TRAILING_OWNER = re.compile(
    rf"(?:^|(?<=[\s.;,(\-–—]))(?:{_OWNER_KEYS})\s*:\s*(?P<v>[^:;()]+?)\s*\.?\s*$", re.I
)
_TRAILING_DUE_COLON = re.compile(
    r"(?:^|(?<=[\s.;,(\-–—]))(?:deadline|due(?:\s+date)?|eta)\s*:\s*(?P<v>[^:;()]{1,40}?)\s*\.?\s*$",
    re.IGNORECASE,
)
_TRAILING_DUE_WORD = re.compile(
    r"[\s,;\-–—]*\b(?:due|by|deadline|eta)\s+(?P<v>[^:;()]{1,30}?)\s*\.?\s*$", re.IGNORECASE
)
# Bold initials after the item ("Rotate the keys **JD**") and a handle in a code span ("`@tom`").
_TRAILING_INITIALS = re.compile(r"\s+(?:\*\*|__)(?P<v>[A-Z]{2,3})(?:\*\*|__)\s*$|\s+(?P<c>`@[\w.-]+`)\s*$")
_TRAILING_HANDLE = re.compile(r"[\s,;\-–—]*(?<![\w.])(?P<v>@[\w.-]+(?:/[\w.-]+)?)\s*$")
_TRAILING_NOTE = re.compile(
    r"[\s,;.]*(?:[\-–—:]\s*|\s)(?P<v>(?:DONE|FIXED|COMPLETED?|WONTFIX|WONT\s?DO|WON'T\s+DO|WIP)\b.*|PR\s+exists|"
    r"PR\s+open(?:ed)?|(?i:(?:done|fixed|completed?|resolved|shipped|merged)\s+(?:as\s+of|on|in|via|with|at)\s+\S.*)|"
    r"(?i:done|fixed|completed?|in\s+progress|won'?t\s+do|wip))\s*\.?\s*$"
)
# "what can be done in case it goes bad", "is fixed on restart": the word is the sentence's own verb, not a
# status note after the item.
_AUXILIARY_END = re.compile(r"\b(?:be|been|being|is|are|was|were|get|gets|got|getting)\s*$", re.IGNORECASE)
_BRACKET_NOTE = re.compile(
    r"\s*(?:\[|\*\*)(?P<v>done|todo|fixed|wip|in\s+progress|won'?t\s+do)(?:\]|\*\*)\s*$", re.I
)
_PAREN_NOTE = re.compile(
    r"^(?:done|fixed|completed?|in\s+progress|wip|won'?t\s+do|not\s+planned|PR\s+exists|PR\s+open(?:ed)?|"
    r"issue\s+(?:created|filed|opened)|ticket\s+(?:created|filed|opened)|to\s*do|"
    r"(?:done|fixed|completed?|resolved|shipped|merged)(?:\s+(?:on|in|as\s+of|via))?\s+\S[^()]*)$",
    re.IGNORECASE,
)
# An owner written by name: a handle, an e-mail address, or two or three capitalised words.
NAME = re.compile(
    r"^(?:@[\w.-]+(?:/[\w.-]+)?|[\w.+-]+@[\w-]+\.[\w.-]+|[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})$"
)
_TRAILING_REF = re.compile(r"\s*(\[[^\]]+\]\([^)\s]+\)|[\w./-]+#\d+|[A-Z][A-Z0-9_]+-\d+)\s*$")
# "**Done:** rotate keys", and "[Done](commit-url): rotate keys" (the status word linking to the work).
_STATUS_WORD = r"(?i:done|todo|to\s+do|wip|in\s+progress|won'?t\s+do|blocked)"
_LEADING_STATUS = re.compile(
    rf"^(?:\*\*|__|\[)?(?P<v>{_STATUS_WORD})(?:\*\*|__|\]\([^)\s]+\))?\s*[:\-–—]\s*(?:\*\*|__)?\s+"
    # "**TODO** a prometheus exporter on ZFS ...": the bold word alone marks the status, no colon needed.
    rf"|^(?:\*\*|__)(?P<b>{_STATUS_WORD})(?:\*\*|__)\s+(?=\w)"
)
# "[GH-101 (Done)](url): create ...": the status written inside the text of the link to the work.
_LINK_STATUS = re.compile(
    r"\[[^\[\]]*?\((?P<v>(?i:done|fixed|completed?|merged|shipped|in\s+progress|wip|won'?t\s+do|to\s*do))\)\]\([^)\s]+\)"
)
_TEAM_TAG = re.compile(r"^\[(?P<v>[^\]\[]{1,40})\]\s+(?!\()")
# `[P1]`, `[high]`, `[sev2]` in front of an item are its priority, not a team.
_PRIORITY_TAG = re.compile(
    r"^\[(?P<v>(?i:p[0-4]|sev[\s-]?[0-4]|high|medium|low|critical|urgent|must|should|nice[\s-]to[\s-]have))\]\s+"
)
# Field lines inside one item (`**Owner:** Dana` under the action's own line): its attributes.
_FIELD_LINE = re.compile(
    r"^\s*(?:\*\*|__)?(?P<k>owners?|assignee|assigned\s+to|dri|due(?:\s+date)?|deadline|eta|target(?:\s+date)?|status)"
    r"\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:|:)\s*(?P<v>\S.*?)\s*$",
    re.IGNORECASE,
)
_TRAILING_DASHED_DATE = re.compile(r"\s+[—–-]{1,2}\s+(?P<v>[^—–]{4,30}?)\s*$")
_TRAILING_DASHED_NAME = re.compile(r"\s+[—–]\s+(?P<v>@[\w.-]+|[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,2})\s*$")
_BRACKET_KEYED = re.compile(r"\s*\[(?P<inner>[^\[\]]+:[^\[\]]+)\]\s*$")
_LEADING_HANDLE = re.compile(r"^(?P<v>@[\w.-]+(?:/[\w.-]+)?)\s*[:\-–—]\s+")
_TEAM_PREFIX = re.compile(
    r"^(?!(?:FYI|NB|PR|ETA|TBD|TBA|WIP|AI|TODO|NOTE|UPDATE|EDIT|Q[1-4]|H[12])\s*:)(?P<v>[A-Z][A-Z0-9&/-]{1,11}|[\w&/.-]+(?:\s+[\w&/.-]+){0,2}\s+team)\s*:\s+"
)
_TEAM_TO = re.compile(
    r"^(?P<v>(?:the\s+)?[\w&/.-]+(?:\s+[\w&/.-]+){0,2}\s+(?:team|squad|group|guild|crew)|[A-Z][A-Z0-9&/-]{1,11})"
    r"\s+(?:to|will|should|must)\s+",
)


@dataclass
class Annotated:
    """An item's text split into what it says (core) and the annotations around it."""

    core: str
    owner_text: str | None = None
    deadline_text: str | None = None
    status_text: str | None = None
    checkbox: str | None = None
    lead: str | None = None
    priority: str | None = None
    keyed: dict[str, str] = field(default_factory=dict)


def trailing_group(text: str) -> tuple[int, str] | None:
    """(start, inner) of a balanced parenthesised group that ends `text` (a trailing `.` allowed), unless it
    is the URL part of a Markdown link."""
    end = len(text.rstrip().rstrip(".").rstrip())
    if end == 0 or text[end - 1] != ")":
        return None
    depth = 0
    for index in range(end - 1, -1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                if index > 0 and text[index - 1] == "]":
                    return None
                start = index
                while start > 0 and text[start - 1].isspace():
                    start -= 1
                return start, text[index + 1 : end - 1]
    return None


def _deadline_kind(text: str) -> DeadlineKind:
    return parse_deadline(text, _REFERENCE_DAY).kind


def _keyed_group(inner: str, known_owner: Callable[[str], bool] | None = None) -> dict[str, str] | None:
    """`owner: x; due: y` -> {"owner": x, "deadline": y}; None unless every part is a known key, or (with at
    least one key) a name, a date or a status note: `(Kim Lee, due: May 1)`."""
    parts = [part.strip() for part in _KEY_SPLIT.split(inner) if part.strip()]
    found: dict[str, str] = {}
    loose: list[str] = []
    for part in parts:
        match = _KEYED.match(part)
        if not match:
            loose.append(part)
            continue
        key = match.group("key").lower()
        value = match.group("value").strip()
        if re.fullmatch(_OWNER_KEYS, key, re.I):
            found["owner"] = value
        elif re.fullmatch(_DEADLINE_KEYS, key, re.I):
            found["deadline"] = value
        elif re.fullmatch(_STATUS_KEYS, key, re.I):
            found["status"] = value
        elif re.fullmatch(_PRIORITY_KEYS, key, re.I):
            found["priority"] = value
        else:
            found["ref"] = value
    if not found and len(loose) == 1 and "," in inner:
        loose = [part.strip() for part in inner.split(",", 1)]
    if not found:
        if not _owner_and_date(loose, known_owner):
            return None
        dated = re.match(r"^(?:(?:by|due|before)\s+)?(?P<d>.+)$", loose[1], re.IGNORECASE)
        return {"owner": loose[0], "deadline": dated.group("d") if dated else loose[1]}
    for part in loose:
        dated = re.match(r"^(?:by|due|before)\s+(?P<d>.+)$", part, re.IGNORECASE)
        if dated and "deadline" not in found and _deadline_kind(dated.group("d")) is DeadlineKind.DATE:
            found["deadline"] = dated.group("d")
            continue
        if "owner" not in found and (NAME.match(part) or (known_owner is not None and known_owner(part))):
            found["owner"] = part
        elif "deadline" not in found and _deadline_kind(part) is DeadlineKind.DATE:
            found["deadline"] = part
        elif "status" not in found and _PAREN_NOTE.match(part):
            found["status"] = part
        else:
            return None
    return found


def _owner_and_date(parts: list[str], known_owner: Callable[[str], bool] | None) -> bool:
    """`(Tom Berg, by 2026-04-01)`: a name and a dated deadline, with no keys."""
    if len(parts) != 2:
        return False
    name, when = parts
    dated = re.match(r"^(?:(?:by|due|before)\s+)?(?P<d>.+)$", when, re.IGNORECASE)
    named = bool(NAME.match(name) or re.fullmatch(r"[A-Z][\w'’-]+", name)) or (
        known_owner is not None and known_owner(name)
    )
    return named and dated is not None and _deadline_kind(dated.group("d")) is DeadlineKind.DATE


def _only_ref(text: str, jira_projects: Collection[str]) -> bool:
    """A ref written as an annotation: `org/repo#12`, `OPS-1`, a bare URL, or a link whose text is the ref."""
    text = text.strip()
    link = re.fullmatch(r"\[(?P<t>[^\]]+)\]\((?P<u>[^)\s]+)\)", text)
    if link:
        refs = find_refs(link.group("u"), jira_projects)
        return bool(refs) and link.group("t").strip() in {refs[0].key, refs[0].url, link.group("u")}
    refs = find_refs(text, jira_projects)
    return len(refs) == 1 and refs[0].text == text


def split_annotations(
    content: str,
    jira_projects: Collection[str] = (),
    known_owner: Callable[[str], bool] | None = None,
) -> Annotated:
    """Take an item's annotations off its text: leading checkbox and status emoji, trailing owner, deadline,
    status and reference notes (in any order), and owner prefixes. The rest is the core."""
    text = content.strip()
    result = Annotated(core=text)
    rows = text.split("\n")
    while len(rows) > 1 and (field_line := _FIELD_LINE.match(rows[-1])):
        key, value = field_line.group("k").lower(), to_plain(field_line.group("v"))
        name = "owner" if re.match(_OWNER_KEYS, key) else "status" if key == "status" else "deadline"
        if name == "owner" and result.owner_text is None:
            result.owner_text = value
        elif name == "deadline" and result.deadline_text is None:
            result.deadline_text = value
        elif name == "status" and result.status_text is None:
            result.status_text = value
        result.keyed.setdefault(name, value)
        rows.pop()
    text = "\n".join(rows).strip()
    box = CHECKBOX.match(text)
    if box:
        result.checkbox = f"[{box.group(1)}]"
        text = text[box.end() :]
    emoji = _LEADING_EMOJI.match(text)
    if emoji:
        result.status_text = result.lead = emoji.group(1)
        text = text[emoji.end() :]
    struck = re.fullmatch(r"~~(?P<v>[^~].*?)~~", text, re.DOTALL)
    if struck:
        # A struck-through item is one the team crossed off: done, with its words kept as the title.
        result.status_text = "done (struck through)"
        text = struck.group("v")
    label = _LEADING_STATUS.match(text)
    if label:
        result.status_text = result.lead = label.group("v") or label.group("b")
        text = text[label.end() :]
    elif result.status_text is None and (linked := _LINK_STATUS.search(text)):
        result.status_text = linked.group("v")  # the title keeps the link as written

    def take(field_name: str, value: str, explicit: bool = True) -> None:
        if field_name == "owner" and result.owner_text is None:
            result.owner_text = value
        elif field_name == "deadline" and result.deadline_text is None:
            result.deadline_text = value
        elif field_name == "status" and (result.status_text is None or explicit):
            result.status_text = value
        elif field_name == "priority" and result.priority is None:
            result.priority = value
        if explicit:
            result.keyed.setdefault(field_name, value)

    for _ in range(12):
        before = text
        text = text.rstrip()
        if match := _TRAILING_EMOJI.search(text):
            take("status", match.group(1), explicit=False)
            text = text[: match.start()]
        elif group := trailing_group(text):
            start, inner = group[0], group[1].strip()
            keyed = _keyed_group(inner, known_owner)
            if keyed is not None:
                for key, value in keyed.items():
                    if key != "ref":
                        take(key, value)
            elif _PAREN_NOTE.match(inner):
                take("status", inner, explicit=False)
            elif NAME.match(inner) or (known_owner is not None and known_owner(inner)):
                take("owner", inner, explicit=False)
            elif _deadline_kind(inner) is DeadlineKind.DATE:
                take("deadline", inner)
            elif inner and _only_ref(inner, jira_projects):
                pass  # a reference annotation: the reference itself is read from the whole item
            else:
                break
            text = text[:start]
        elif match := _TRAILING_OWNER.search(text):
            take("owner", match.group("v").strip())
            text = text[: match.start()]
        elif (
            (match := _TRAILING_DUE_COLON.search(text))
            and _deadline_kind(match.group("v")) is not DeadlineKind.UNKNOWN
        ) or (
            (match := _TRAILING_DUE_WORD.search(text))
            and _deadline_kind(match.group("v"))
            in (
                DeadlineKind.DATE,
                DeadlineKind.INVALID,
            )
        ):
            take("deadline", match.group("v").strip())
            text = text[: match.start()]
        elif (match := _TRAILING_INITIALS.search(text)) and match.start() > 0:
            take("owner", match.group("v") or match.group("c"), explicit=False)
            text = text[: match.start()]
        elif match := _TRAILING_HANDLE.search(text):
            if match.start() == 0:
                break
            take("owner", match.group("v"), explicit=False)
            text = text[: match.start()]
        elif (match := _BRACKET_KEYED.search(text)) and (
            keyed := _keyed_group(match.group("inner"), known_owner)
        ):
            for key, value in keyed.items():
                if key != "ref":
                    take(key, value)
            text = text[: match.start()]
        elif (
            (match := _TRAILING_DASHED_DATE.search(text))
            and match.start() > 0
            and _deadline_kind(match.group("v")) is DeadlineKind.DATE
        ):
            take("deadline", match.group("v").strip())
            text = text[: match.start()]
        elif (match := _TRAILING_DASHED_NAME.search(text)) and match.start() > 0:
            take("owner", match.group("v"), explicit=False)
            text = text[: match.start()]
        elif match := _BRACKET_NOTE.search(text):
            take("status", match.group("v"), explicit=False)
            text = text[: match.start()]
        elif (match := _TRAILING_NOTE.search(text)) and not _AUXILIARY_END.search(text[: match.start()]):
            if match.start() == 0:
                break
            take("status", to_plain(match.group("v")), explicit=False)
            text = text[: match.start()]
        else:
            # A trailing reference written as an annotation (`acme/infra#12`, `[OPS-7](url)`): the reference
            # itself is read from the whole item; a link with other text ("[Issue](url)") stays in the title.
            last = _TRAILING_REF.search(text)
            if last and last.start() > 0 and _only_ref(last.group(1), jira_projects):
                text = text[: last.start()]
            else:
                break
        text = re.sub(r"[\s,;\-–—]+$", "", text) if text != before else text
        if text == before:
            break
    text = text.strip()

    if match := _PRIORITY_TAG.match(text):
        # Kept in the core (render writes the core back); the title leaves it out (strip_priority_tag).
        result.priority = result.priority or match.group("v")
    elif result.owner_text is None:
        for pattern in (_TEAM_TAG, _LEADING_HANDLE, _TEAM_PREFIX):
            match = pattern.match(text)
            if match and not (pattern is _TEAM_TAG and CHECKBOX.match(text)):
                result.owner_text = match.group("v").strip()
                text = text[match.end() :]
                break
    if result.owner_text is None:
        match = _TEAM_TO.match(strip_priority_tag(text))
        if match:
            result.owner_text = match.group("v")
    if result.owner_text is None:
        result.owner_text = sentence_owner(strip_priority_tag(text), known_owner)
    if result.owner_text is not None and result.deadline_text is None:
        result.owner_text, result.deadline_text = split_owner_deadline(result.owner_text)
    result.core = text
    return result


_OWNER_THEN_DEADLINE = re.compile(
    r"^(?P<owner>.+?)\s*[,;]\s*(?:due|by|deadline|eta|target)\s*:?\s*(?P<deadline>.+)$", re.IGNORECASE
)


def split_owner_deadline(owner: str) -> tuple[str, str | None]:
    """`@marco, due 2026-03-05` in an owner cell or annotation is an owner and a deadline."""
    match = _OWNER_THEN_DEADLINE.match(owner.strip())
    if match and _deadline_kind(match.group("deadline")) is not DeadlineKind.UNKNOWN:
        return match.group("owner").strip(), match.group("deadline").strip()
    return owner, None


def is_field_lines(text: str) -> bool:
    """Text made only of `Owner: x` / `**Due:** y` / `Status: z` lines."""
    rows = [row for row in text.split("\n") if row.strip()]
    return bool(rows) and all(_FIELD_LINE.match(row) for row in rows)


def strip_priority_tag(text: str) -> str:
    """An item's text without a leading `[P1]`-style priority tag."""
    match = _PRIORITY_TAG.match(text)
    return text[match.end() :] if match else text
