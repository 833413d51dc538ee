"""Word-set similarity of titles: content words (lower-cased, crudely stemmed) and their Jaccard overlap."""

from __future__ import annotations

import re
from functools import lru_cache

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
