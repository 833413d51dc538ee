"""The near-duplicate lookup of `scope-duplicate`: open items indexed by their set of content words.

The rule's definition is a scan: the first item of `context.others`, in order, with the highest
similarity >= DUPLICATE_SIMILARITY, among the open items of other postmortems. This index answers the
same (ties included: the earliest added wins) without comparing with everything:

- items with the same content words form one group, scored once (archives of one company repeat
  the same phrases: "Add alerting on orders-api error rate");
- a group at least DUPLICATE_SIMILARITY alike must share enough of the title's words, so it holds one
  of the title's rarest few (a prefix filter): only groups listed under those words are scored;
- `best` stops as soon as no group left can beat or tie the best found (an archive of look-alikes,
  each item 70% alike hundreds of earlier ones, must not score them all).

`tracker import` keeps one index for the whole command, adding each document's open items and dropping
the ones a re-imported postmortem replaces, instead of rebuilding it per document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tracker.lint.model import LintItem

DUPLICATE_SIMILARITY = 0.7


def shared_needed(size: int, threshold: float = DUPLICATE_SIMILARITY) -> int:
    """The fewest shared words for a title of `size` words to reach `threshold` with any other title.

    similarity = shared / union <= shared / size, so shared / size >= threshold is necessary (computed
    with the same float division as the rule, so the boundary is never off by one)."""
    return next(k for k in range(size + 1) if k / size >= threshold)


@dataclass(eq=False)
class _Group:
    words: frozenset[str]
    created: int  # the order number of its first item: every member's is at least this
    members: dict[int, LintItem] = field(default_factory=dict)  # order added -> item (insertion order)
    looked: int = -1  # the last `best` lookup that scored this group (cheaper than a set of seen groups)


class DuplicateIndex:
    """Open items of other postmortems, for `best`: what the scan over them in order would pick."""

    def __init__(self, items: Iterable[LintItem] = ()) -> None:
        self._added = 0
        self._lookups = 0
        self._groups: dict[frozenset[str], _Group] = {}
        self._postings: dict[str, list[_Group]] = {}
        # word -> number of words -> the groups of that size holding it, in the order they were created
        self._by_size: dict[str, dict[int, list[_Group]]] = {}
        self._by_postmortem: dict[str | None, list[tuple[_Group, int]]] = {}
        self.add(items)

    def add(self, items: Iterable[LintItem]) -> None:
        """Add items after every item already added (closed items are never compared, so not kept)."""
        from tracker.lint.similarity import tokens

        for item in items:
            if not item.is_open:
                continue
            words = tokens(item.title)
            group = self._groups.get(words)
            if group is None:
                group = self._groups[words] = _Group(words, self._added)
                for word in words:
                    self._postings.setdefault(word, []).append(group)
                    self._by_size.setdefault(word, {}).setdefault(len(words), []).append(group)
            group.members[self._added] = item
            self._by_postmortem.setdefault(item.postmortem, []).append((group, self._added))
            self._added += 1

    def drop_postmortem(self, postmortem: str | None) -> None:
        """Forget a postmortem's items (its document is being imported again)."""
        for group, number in self._by_postmortem.pop(postmortem, []):
            group.members.pop(number, None)

    def candidates(self, item: LintItem) -> list[LintItem]:
        """Every indexed item that may be DUPLICATE_SIMILARITY alike `item` (a superset of them)."""
        return [other for group in self._groups_for(item) for other in group.members.values()]

    def best(self, item: LintItem) -> tuple[float, LintItem] | None:
        """(similarity, item) of the most similar open item of another postmortem, at least
        DUPLICATE_SIMILARITY alike; of equals, the one added first (as the scan in order finds it)."""
        from tracker.lint.similarity import tokens

        words = tokens(item.title)
        size = len(words)
        exact = self._groups.get(words) if words else None
        first = self._first(exact, item) if exact is not None else None
        if first is not None:
            return 1.0, first[1]  # nothing scores higher, and one group holds every title of these words
        if size < 3:  # short titles match only the same words (`word_similarity`)
            return None
        best: tuple[float, int, LintItem] | None = None
        self._lookups += 1
        lookup = self._lookups
        # The prefix filter of `_groups_for`, with its bound raised to the best score found: a group not
        # listed under the first k words probed shares at most size - k words, so scores at most
        # (size - k) / size; once that is below the best, no group left can beat or tie it.
        for probed, word in enumerate(self._rarest(words)):
            if best is not None and (size - probed) / size < best[0]:
                break
            for length, groups in self._by_size.get(word, {}).items():
                if length < 3:
                    continue
                # The most a group of `length` words other than `words` can score; the groups are in the
                # order they were created, and a group created after the best's item can only tie it
                # with a later item: once neither can win, the rest of the list is skipped (an archive
                # of look-alikes costs its few best candidates, not all of them).
                ceiling = (size - 1) / (size + 1) if length == size else min(length, size) / max(length, size)
                for group in groups:
                    if best is not None and (
                        ceiling < best[0] or (ceiling == best[0] and group.created > best[1])
                    ):
                        break
                    if group.looked == lookup or group is exact or not group.members:
                        continue
                    group.looked = lookup
                    shared = len(words & group.words)  # `word_similarity`, inline: the loop is hot
                    score = shared / (size + length - shared)
                    if score < DUPLICATE_SIMILARITY or (best is not None and score < best[0]):
                        continue
                    first = self._first(group, item)
                    if first is not None and (best is None or score > best[0] or first[0] < best[1]):
                        best = (score, first[0], first[1])
        return None if best is None else (best[0], best[2])

    @staticmethod
    def _first(group: _Group, item: LintItem) -> tuple[int, LintItem] | None:
        """The group's earliest-added member from another postmortem than `item`'s."""
        return next(
            ((n, other) for n, other in group.members.items() if other.postmortem != item.postmortem), None
        )

    def _rarest(self, words: frozenset[str]) -> list[str]:
        """The words of a title (of 3 or more) that any group DUPLICATE_SIMILARITY alike holds one of:
        any len - need + 1 of them; the rarest few, so the fewest groups are scored."""
        need = shared_needed(len(words))
        rarest = sorted(words, key=lambda word: (len(self._postings.get(word, ())), word))
        return rarest[: len(words) - need + 1]

    def _groups_for(self, item: LintItem) -> list[_Group]:
        from tracker.lint.similarity import tokens

        words = tokens(item.title)
        if not words:
            return []  # no content words: similar to nothing
        if len(words) < 3:  # short titles match only the same words (`word_similarity`)
            group = self._groups.get(words)
            return [group] if group is not None else []
        seen: dict[int, _Group] = {}
        for word in self._rarest(words):
            for group in self._postings.get(word, ()):
                if len(group.words) >= 3 and group.members:
                    seen.setdefault(id(group), group)
        return list(seen.values())
