"""Scope rules: more items in one postmortem than anyone will finish, and near-duplicates of open items."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from tracker.lint.duplicates import DUPLICATE_SIMILARITY, DuplicateIndex  # noqa: F401 (its threshold, read here)
from tracker.lint.model import LintContext, LintItem, Severity
from tracker.lint.registry import group_rule, rule
from tracker.lint.text import strip_markdown

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "into",
        "our",
        "we",
        "us",
        "it",
        "its",
        "is",
        "are",
        "be",
        "this",
        "that",
        "these",
        "those",
        "as",
        "all",
        "any",
        "some",
        "so",
        "such",
        "when",
        "if",
        "then",
        "than",
        "more",
        "less",
        "should",
        "must",
        "will",
        "can",
        "need",
        "needs",
        "do",
        "does",
    ]
)


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


@lru_cache(maxsize=200_000)
def tokens(title: str) -> frozenset[str]:
    """Content words of a title, lower-cased and crudely stemmed, for duplicate detection."""
    words = re.findall(r"[a-z]+|\d+", strip_markdown(title).lower())  # "slow-query", ">500ms" split alike
    return frozenset(_stem(w) for w in words if w not in _STOPWORDS and (len(w) > 1 or w.isdigit()))


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of two titles' content words (0..1)."""
    return word_similarity(tokens(a), tokens(b))


def word_similarity(left: frozenset[str], right: frozenset[str]) -> float:
    """`similarity` of two titles already reduced to their content words."""
    if len(left) < 3 or len(right) < 3:
        return 1.0 if left and left == right else 0.0
    return len(left & right) / len(left | right)


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
