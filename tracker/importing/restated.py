"""A later list that restates items already read ("Action Items Status" checklist) adds no items."""

from __future__ import annotations

import re

from tracker.importing.drafts import ItemDraft
from tracker.importing.sections import read_status

# A heading that presents a list as the state of work listed before, not as new work.
_STATUS_HEADING = re.compile(
    r"\b(?:status|progress|tracking|tracker|recap|summary|checklist)\b", re.IGNORECASE
)
_WORD = re.compile(r"[a-z0-9][a-z0-9./_-]{3,}")
_STOP = frozenset(
    [
        "this",
        "that",
        "with",
        "from",
        "into",
        "onto",
        "have",
        "will",
        "should",
        "would",
        "must",
        "need",
        "needs",
        "also",
        "their",
        "there",
        "them",
        "then",
        "than",
        "when",
        "what",
        "which",
        "where",
        "make",
        "sure",
        "done",
        "todo",
        "open",
        "item",
        "items",
        "action",
        "actions",
        "task",
        "tasks",
    ]
)


def _words(title: str) -> set[str]:
    return {word.rstrip("./_-") for word in _WORD.findall(title.lower())} - _STOP


def _echoes(earlier: ItemDraft, later: ItemDraft) -> bool:
    """The later entry names the earlier item: they share a content word (short labels restate long rows)."""
    return bool(_words(earlier.title) & _words(later.title))


def _restates(earlier: list[ItemDraft], later: list[ItemDraft]) -> bool:
    if len(earlier) != len(later) or len(later) < 2:
        return False
    # The later list must present itself as a status list: a status heading, or checkboxes over rows
    # that had none (a checklist of the table above). Two action lists of the same length that merely
    # share words (short-term and long-term fixes) stay two lists.
    says_status = bool(_STATUS_HEADING.search(later[0].section))
    ticks_rows = all(d.checkbox for d in later) and not any(d.checkbox for d in earlier)
    if not (says_status or ticks_rows):
        return False
    return all(_echoes(a, b) for a, b in zip(earlier, later, strict=True))


def _take_status(item: ItemDraft, restated: ItemDraft) -> None:
    """The checklist's status is the item's, unless it says the same thing the item already says."""
    status = read_status(restated.status_text)
    if status is None or (item.status is not None and item.status == status):
        return
    item.status_text, item.status = restated.status_text, status


def fold_restated(groups: list[list[ItemDraft]]) -> list[ItemDraft]:
    """The items of every section, with a section that restates an earlier one folded into it."""
    kept: list[list[ItemDraft]] = []
    for group in groups:
        earlier = next((g for g in kept if _restates(g, group)), None)
        if earlier is None:
            kept.append(group)
            continue
        for item, restated in zip(earlier, group, strict=True):
            _take_status(item, restated)
    return [draft for group in kept for draft in group]
