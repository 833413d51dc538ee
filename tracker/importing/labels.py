"""A bold label at the start of an item (`**Label**: explanation`): its title, and what follows its description."""

from __future__ import annotations

import re

from tracker.importing.annotations import NAME
from tracker.provenance import Shaped
from tracker.statuses import parse_status

_BOLD_LABEL = re.compile(
    r"^(?:\*\*|__)(?P<label>.+?)(?:\*\*|__)\s*(?P<sep>[:–—-])?\s*(?P<rest>.*)$", re.DOTALL
)
_MARKER_LABELS = re.compile(
    r"^(?:action(?:\s+item)?|ai|todo|to\s+do|task|follow[\s-]*up)(?:\s*[#-]?\s*\d{1,3})?$", re.IGNORECASE
)
# A bold label with no colon after it: a bold sentence (`**Archive records before deletion.** The job ...`)
# or a bold phrase followed by a new sentence (`**Catch schema errors** In the hook, check ...`). The
# examples' README states the bold-label convention for every organisation; this separator-less variant
# appears in hexpm, felvin-search and posthog documents.
BOLD_SENTENCES = Shaped("hexpm", "felvin-search", "posthog")
_NOT_A_LABEL = re.compile(
    r"^(?:p[0-4]|sev(?:erity)?[\s-]?\d|(?:high|medium|low|critical|top)(?:\s+priority)?|priority\s*\d?|"
    r"done|to\s*do|in\s+progress|won'?t\s+do|not\s+started|blocked|open)\b",
    re.IGNORECASE,
)

# A bold word or two that only rates the item ("**CRITICAL:**", "**Urgent**:", "**P1:**", "**High priority:**").
_PRIORITY_ONLY = re.compile(
    r"^(?:p[0-4]|sev(?:erity)?[\s-]?\d|critical|urgent|important|blocker|"
    r"(?:high|medium|low|top)(?:\s+priority)?|priority(?:\s*[:\s]\s*\w+)?)$",
    re.IGNORECASE,
)


def split_label(core: str) -> tuple[str, str, str | None, str | None]:
    """(title markdown, title as written, description markdown, status) of a core: a bullet that starts
    with a bold label (`**Label**: explanation`) has the label as its title (written with its bold marks);
    `**Action item:** text` has the text."""
    match = _BOLD_LABEL.match(core)
    if not match:
        return core, core, None, None
    label = match.group("label").strip()
    rest = match.group("rest").strip()
    has_colon = label.endswith(":")
    label = label.rstrip(":").strip()
    # `**Archive records before deletion.** The cleanup job now ...`: a bold sentence leads the item.
    sentence = BOLD_SENTENCES.active and len(label.split()) >= 2 and ":" not in label
    if sentence and not label.endswith((".", "!", "?")):
        # A bold phrase then a longer new sentence explaining it; not a bold name, priority or status.
        sentence = (
            bool(re.match(r"[A-Z]", rest))
            and len(rest.split()) > len(label.split())
            and not NAME.match(label)
            and not _NOT_A_LABEL.match(label)
        )
    if not (has_colon or sentence or match.group("sep") or not rest):
        return core, core, None, None
    if rest and _PRIORITY_ONLY.match(label):
        # "**CRITICAL:** Access the NAS": a priority in front of the action, not a label naming it.
        return core, core, None, None
    if _MARKER_LABELS.match(label) and rest:
        return rest, rest, None, None
    if (
        rest
        and re.fullmatch(r"(?i:done|todo|to do|wip|in progress|fixed|won'?t do)", label)
        and parse_status(label)
    ):
        return rest, rest, None, label
    return label, core[: match.end("label") + 2], rest or None, None
