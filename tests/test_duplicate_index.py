"""`scope-duplicate`'s index picks what the plain scan over the other open items picks (issue 15):
the same item, the same similarity, ties to the earliest, as `tracker import` grows and replaces it."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.lint.duplicates import DUPLICATE_SIMILARITY, DuplicateIndex, shared_needed
from tracker.lint.model import LintItem
from tracker.lint.scope import similarity

# Stems that fold together ("alerts", "alerting"), stop words, digits: short, equal and empty word sets.
WORDS = ["alert", "alerts", "alerting", "queue", "depth", "orders", "api", "pool", "retry", "the", "of"]
WORDS += ["timeout", "add", "fix", "5", "500ms", "runbook", "on", "canary", "deploy"]


def scan(item: LintItem, others: list[LintItem]) -> tuple[float, LintItem] | None:
    """The rule's definition: the first open item of another postmortem, in order, of the highest
    similarity at least DUPLICATE_SIMILARITY."""
    best: tuple[float, LintItem] | None = None
    for other in others:
        if other.postmortem == item.postmortem or not other.is_open:
            continue
        score = similarity(item.title, other.title)
        if score >= DUPLICATE_SIMILARITY and (best is None or score > best[0]):
            best = (score, other)
    return best


def _same(found: tuple[float, LintItem] | None, expected: tuple[float, LintItem] | None) -> bool:
    if found is None or expected is None:
        return found is expected
    return found[0] == expected[0] and found[1] is expected[1]


titles = st.lists(st.sampled_from(WORDS), min_size=0, max_size=7).map(" ".join)
items = st.builds(
    LintItem,
    title=titles,
    status=st.sampled_from(["open", "open", "in_progress", "done", "wont_do"]),
    postmortem=st.sampled_from(["pm-a", "pm-b", "pm-c", "pm-d", None]),
)


@settings(max_examples=300, deadline=None)
@given(others=st.lists(items, max_size=40), queries=st.lists(items, min_size=1, max_size=10))
def test_the_index_picks_what_the_scan_picks(others: list[LintItem], queries: list[LintItem]) -> None:
    index = DuplicateIndex(others)
    for item in queries:
        assert _same(index.best(item), scan(item, others))


@pytest.mark.parametrize("seed", range(8))
def test_an_import_growing_and_replacing_the_index_matches_the_scan(seed: int) -> None:
    """`tracker import` of a folder: each document is compared with the open items so far, then its
    postmortem's items are replaced by the document's (a re-imported slug moves to the end)."""
    rng = random.Random(seed)

    def item(slug: str) -> LintItem:
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 7)))
        return LintItem(title=title, status=rng.choice(["open", "open", "done"]), postmortem=slug)

    database = [item(f"db-{rng.randint(0, 9)}") for _ in range(60)]
    database = [other for other in database if other.is_open]  # `open_items` loads open ones only
    cache, index = list(database), DuplicateIndex(database)
    found = 0
    for _ in range(80):
        slug = f"pm-{rng.randint(0, 25)}"
        document = [item(slug) for _ in range(rng.randint(1, 5))]
        others = [other for other in cache if other.postmortem != slug]
        for new in document:
            expected = scan(new, others)
            assert _same(index.best(new), expected)
            found += expected is not None
        cache = others + [new for new in document if new.is_open]
        index.drop_postmortem(slug)
        index.add(document)
    assert found > 20  # near-duplicates were there to find


def test_ties_go_to_the_item_seen_first() -> None:
    first = LintItem(title="Add alerting on orders queue depth", postmortem="pm-a")
    second = LintItem(title="Add alerting on orders queue depth", postmortem="pm-b")
    item = LintItem(title="add alerts orders queue depth", postmortem="pm-c")
    assert DuplicateIndex([first, second]).best(item) == (1.0, first)
    assert DuplicateIndex([second, first]).best(item) == (1.0, second)
    index = DuplicateIndex([first, second])
    index.drop_postmortem("pm-a")
    assert index.best(item) == (1.0, second)


@pytest.mark.parametrize("size", range(1, 40))
def test_shared_needed_is_the_exact_boundary(size: int) -> None:
    need = shared_needed(size)
    assert need / size >= DUPLICATE_SIMILARITY
    assert (need - 1) / size < DUPLICATE_SIMILARITY


@pytest.mark.parametrize("seed", range(4))
def test_an_archive_of_look_alikes_matches_the_scan(seed: int) -> None:
    """Every item at least 70% alike many earlier ones (`bench/sync_bench.py`'s archive: "Alert when queue
    7-3 depth exceeds 1003 for 5 min"): the index skips the look-alikes that cannot beat or tie the best
    found, and still picks what the scan picks, ties to the earliest, with postmortems re-imported."""
    rng = random.Random(seed)

    def document(doc: int) -> list[LintItem]:
        return [
            LintItem(
                title=f"Alert when queue {doc}-{n} depth exceeds {1000 + n} for {rng.choice((5, 10))} min",
                status=rng.choice(["open", "open", "open", "done"]),
                postmortem=f"inc-{doc}",
            )
            for n in range(rng.randint(1, 5))
        ]

    cache: list[LintItem] = []
    index = DuplicateIndex()
    found = 0
    for step in range(120):
        doc = step if rng.random() < 0.8 else rng.randint(0, max(step - 1, 0))  # some re-imported
        items_ = document(doc)
        others = [other for other in cache if other.postmortem != f"inc-{doc}"]
        for new in items_:
            expected = scan(new, others)
            assert _same(index.best(new), expected)
            found += expected is not None
        cache = others + [new for new in items_ if new.is_open]
        index.drop_postmortem(f"inc-{doc}")
        index.add(items_)
    assert found > 200
