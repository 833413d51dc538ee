"""Scope rules: more items in one postmortem than anyone will finish, and near-duplicates of open items."""

from __future__ import annotations

from collections.abc import Iterator

from tracker.lint.duplicates import DUPLICATE_SIMILARITY, DuplicateIndex  # noqa: F401 (its threshold, read here)
from tracker.lint.model import LintContext, LintItem, Severity
from tracker.lint.registry import group_rule, rule
from tracker.lint.similarity import similarity, tokens, word_similarity  # noqa: F401 (read from here)


@group_rule(
    "scope-too-many-items",
    "scope",
    Severity.WARNING,
    "more items in one postmortem than [lint] max_items",
    "keep the few that prevent the broadest class of incidents and mark the rest won't-do: three items that get "
    "done beat fifteen in a backlog",
)
def too_many(items: list[LintItem], context: LintContext) -> Iterator[tuple[int, str]]:
    counted = [index for index, item in enumerate(items) if item.status != "wont_do"]
    limit = context.settings.max_items
    if len(counted) > limit:
        yield (
            counted[limit],
            f"{len(counted)} action items in one postmortem (limit {limit}): prioritise ruthlessly",
        )


def duplicate_index(context: LintContext) -> DuplicateIndex:
    """The lookup over `context.others`: the one `tracker import` keeps for its command, else one built
    once per list of others (not once per item)."""
    cached = getattr(context, "_duplicate_index", None)
    if cached is None or cached[0] is not context.others:
        cached = (context.others, DuplicateIndex(context.others))
        context._duplicate_index = cached  # type: ignore[attr-defined]
    return cached[1]


def use_index(context: LintContext, index: DuplicateIndex) -> None:
    """Look near-duplicates up in `index` (kept by the caller across documents) instead of `context.others`."""
    context.others = []
    context._duplicate_index = (context.others, index)  # type: ignore[attr-defined]


def _candidates(item: LintItem, context: LintContext) -> list[LintItem]:
    """Open items that may be near-duplicates of `item` (a superset of them, from the index)."""
    return duplicate_index(context).candidates(item)


@rule(
    "scope-duplicate",
    "scope",
    Severity.INFO,
    "a near-duplicate of an open item of another postmortem",
    "link the two instead of tracking the work twice: reference the existing item (e.g. 'see #123') or merge them",
)
def duplicate(item: LintItem, context: LintContext) -> Iterator[str]:
    if not item.is_open:
        return
    best = duplicate_index(context).best(item)
    if best is not None:
        other = best[1]
        where = (
            f"item {other.item_id} of {other.postmortem}"
            if other.item_id
            else f"an item of {other.postmortem}"
        )
        yield f"near-duplicate ({best[0]:.0%} the same words) of {where}: {other.title!r}"
