"""Measure recurrence matching on the example postmortems: split each into an earlier and a later incident.

Positives: each example with at least two action items becomes two incidents of the same system. The
earlier one keeps the first half of the items (all open); the later one has the same cause sections
and services and the second half of the items (or, in the harder variants, only the cause text or only
the items). Matching the later incident against the earlier one should find at least one item.
Negatives: every later incident against every *other* example's earlier incident: any match there is
a false alarm. The examples are ten unrelated systems, so negatives are easy and positives share
literal text; see docs/recurrence.md for what that does and does not show.

    .venv/bin/python bench/recurrence_eval.py [--examples DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tracker.importing.parser import parse_document
from tracker.lint.scope import tokens
from tracker.recurrence import CAUSE_HEADINGS, cause_text, score

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "examples"
BROAD = (*CAUSE_HEADINGS, "summary", "conclusion", "impact", "lessons", "insight")


def load(folder: Path) -> list[dict]:
    docs = []
    for path in sorted(folder.glob("*.md")):
        if path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        parsed = parse_document(text, path.name, set())
        titles = [d.title for d in parsed.items]
        if len(titles) < 2:
            continue
        half = len(titles) // 2
        docs.append(
            {
                "name": path.stem,
                "text": text,
                "services": {s.lower() for s in parsed.meta.services},
                "earlier": titles[:half],
                "later": titles[half:],
            }
        )
    return docs


def matches(old: dict, new: dict, variant: str, headings: tuple[str, ...]) -> int:
    """How many of `old`'s earlier items the later incident of `new` matches under a variant."""
    cause = tokens(cause_text(new["text"], headings)) if variant in ("full", "cause") else frozenset()
    items = new["later"] if variant in ("full", "items") else []
    return sum(
        1
        for title in old["earlier"]
        if score(title, old["services"], items, cause, new["services"]) is not None
    )


def evaluate(docs: list[dict], variant: str, headings: tuple[str, ...]) -> dict:
    found = items_found = items_total = 0
    false_pairs = false_items = pairs = 0
    for new in docs:
        for old in docs:
            count = matches(old, new, variant, headings)
            if old is new:
                found += count > 0
                items_found += count
                items_total += len(old["earlier"])
            else:
                pairs += 1
                false_pairs += count > 0
                false_items += count
    return {
        "variant": variant,
        "headings": "broad" if headings == BROAD else "cause",
        "incidents": len(docs),
        "recurrences_found": found,
        "recall": round(found / len(docs), 3) if docs else None,
        "earlier_items_matched": f"{items_found}/{items_total}",
        "unrelated_pairs": pairs,
        "unrelated_pairs_with_a_match": false_pairs,
        "false_item_matches": false_items,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=Path, default=DEFAULT)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.examples.is_dir():
        print(f"no examples at {args.examples}", file=sys.stderr)
        return 2
    docs = load(args.examples)
    rows = [
        evaluate(docs, variant, headings)
        for headings in (CAUSE_HEADINGS, BROAD)
        for variant in ("full", "cause", "items")
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{len(docs)} example postmortems with two or more items (split into earlier/later incidents)")
    print(
        f"{'headings':8} {'variant':7} {'found':>7} {'recall':>6} {'items':>7} {'FP pairs':>10} {'FP items':>8}"
    )
    for r in rows:
        print(
            f"{r['headings']:8} {r['variant']:7} {r['recurrences_found']:>3}/{r['incidents']:<3} {r['recall']:>6} "
            f"{r['earlier_items_matched']:>7} {r['unrelated_pairs_with_a_match']:>4}/{r['unrelated_pairs']:<5} "
            f"{r['false_item_matches']:>8}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
