"""Item identity across edits: exact fingerprints, links named in the document, then wording similarity."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tracker.importing.drafts import ItemDraft

SIMILARITY = 0.8  # a reworded title at or above this ratio is the same item


def normalise(title: str) -> str:
    """Lower-case word tokens: case, punctuation, Markdown and spacing changes do not change identity."""
    words = re.findall(r"\w+", title.lower())
    return " ".join(words) if words else title.strip().lower()


def fingerprint(title: str) -> str:
    return "d-" + hashlib.sha256(normalise(title).encode("utf-8")).hexdigest()[:24]


def similarity(a: str, b: str) -> float:
    """How alike two normalised titles are: the better of character ratio and word overlap."""
    if a == b:
        return 1.0
    ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    words_a, words_b = set(a.split()), set(b.split())
    overlap = len(words_a & words_b) / len(words_a | words_b) if words_a | words_b else 0.0
    return max(ratio, overlap)


@dataclass
class Candidate:
    """What matching needs to know about an existing item."""

    key: int  # the item id
    fingerprint: str
    title: str
    position: int
    refs: frozenset[str]  # lower-cased keys and URLs of its links and tracking reference


def draft_keys(draft: ItemDraft) -> set[str]:
    keys: set[str] = set()
    for ref in draft.refs:
        keys.add(ref.key.lower())
        if ref.url:
            keys.add(ref.url.lower())
    return keys


def draft_fingerprints(drafts: Sequence[ItemDraft]) -> list[str]:
    """One fingerprint per draft; a repeated title gets a numbered suffix so both are kept."""
    seen: dict[str, int] = {}
    result: list[str] = []
    for draft in drafts:
        base = fingerprint(draft.title)
        seen[base] = seen.get(base, 0) + 1
        result.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return result


def match(
    drafts: Sequence[ItemDraft], fingerprints: Sequence[str], items: Sequence[Candidate]
) -> dict[int, int]:
    """Draft index -> item key. First a reference the document names that an item is linked to (exact once
    written), then an equal fingerprint, then the most similar wording (never across different links)."""
    result: dict[int, int] = {}
    used: set[int] = set()
    keys = [draft_keys(d) for d in drafts]
    for index in range(len(drafts)):
        if not keys[index]:
            continue
        for item in items:
            if item.key not in used and item.refs & keys[index]:
                result[index] = item.key
                used.add(item.key)
                break

    def compatible(index: int, item: Candidate) -> bool:
        return not (keys[index] and item.refs and not (keys[index] & item.refs))

    by_fingerprint = {item.fingerprint: item for item in items}
    for index, value in enumerate(fingerprints):
        if index in result:
            continue
        found = by_fingerprint.get(value)
        # An item whose link the document no longer names keeps its identity by exact wording.
        if found is not None and found.key not in used:
            result[index] = found.key
            used.add(found.key)
    scored: list[tuple[float, int, int]] = []
    for index, draft in enumerate(drafts):
        if index in result:
            continue
        normal = normalise(draft.title)
        for item in items:
            if item.key in used or not compatible(index, item):
                continue
            score = similarity(normal, normalise(item.title))
            if score >= SIMILARITY:
                scored.append((score - 0.001 * abs(item.position - index), index, item.key))
    for _score, index, key in sorted(scored, reverse=True):
        if index in result or key in used:
            continue
        result[index] = key
        used.add(key)
    return result
