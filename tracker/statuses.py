"""Normalise status words, checkboxes and emoji ("✅ Done", "[x]", "TODO") to the four statuses."""

from __future__ import annotations

import re
from enum import StrEnum


class Status(StrEnum):
    """The four statuses every item has, whatever the remote calls them."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    WONT_DO = "wont_do"

    @property
    def is_closed(self) -> bool:
        return self in (Status.DONE, Status.WONT_DO)


_WONT = re.compile(
    r"won'?t\s*(?:do|fix)|wontfix|will\s+not\s+(?:do|fix)|not\s+planned|declined|rejected|"
    r"cancel+ed|dropped|abandoned|obsolete|duplicate|cannot\s+reproduce|\bn/?a\b|❌|🚫",
    re.IGNORECASE,
)
_DONE = re.compile(
    r"\[[xX]\]|✅|✔|☑|🟢|\bdone\b|\bcomplete(?:d)?\b|\bfixed\b|\bresolved\b|\bclosed\b|\bshipped\b|"
    r"\bdeployed\b|\bmerged\b|\bfinished\b|\bimplemented\b",
    re.IGNORECASE,
)
_PROGRESS = re.compile(
    r"in[\s-]*progress|\bstarted\b|\bongoing\b|\bwip\b|\bdoing\b|under\s+way|underway|in\s+review|"
    r"\bpr\s+(?:exists|open(?:ed)?)\b|🟡|🚧|⏳|🔄",
    re.IGNORECASE,
)
_OPEN = re.compile(
    r"\[\s\]|🔲|⬜|☐|🔴|\bopen\b|\btodo\b|to\s*do|\bnot\s+started\b|\bpending\b|\bplanned\b|\bbacklog\b|\bnew\b",
    re.IGNORECASE,
)

CANONICAL_WORDS = {
    "open": Status.OPEN,
    "todo": Status.OPEN,
    "in_progress": Status.IN_PROGRESS,
    "in-progress": Status.IN_PROGRESS,
    "done": Status.DONE,
    "wont_do": Status.WONT_DO,
    "wont-do": Status.WONT_DO,
    "wontdo": Status.WONT_DO,
}


def parse_status(text: str | None) -> Status | None:
    """The status a text names, or None when it names none (the caller decides the default)."""
    if text is None or not text.strip():
        return None
    cleaned = text.strip()
    canonical = CANONICAL_WORDS.get(cleaned.lower())
    if canonical is not None:
        return canonical
    # Order matters: "Won't do" contains "do", "Not started" contains "start", "Done (was in progress)".
    if _WONT.search(cleaned):
        return Status.WONT_DO
    if re.search(r"\bnot\s+(?:done|started|complete)", cleaned, re.IGNORECASE):
        return Status.OPEN
    if _DONE.search(cleaned):
        return Status.DONE
    if _PROGRESS.search(cleaned):
        return Status.IN_PROGRESS
    if _OPEN.search(cleaned):
        return Status.OPEN
    return None
