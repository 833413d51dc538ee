"""Measure the wording rules (and, separately, the structure rules) against labeled action items."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from understanding import wilson

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "examples" / "action-items.dev.jsonl"


def evaluate(rows: list[dict], predict) -> dict:
    tp = fp = fn = tn = 0
    mistakes = []
    for row in rows:
        predicted, truth = bool(predict(row["text"])), bool(row["vague"])
        if predicted and truth:
            tp += 1
        elif predicted:
            fp += 1
            mistakes.append(("FP", row))
        elif truth:
            fn += 1
            mistakes.append(("FN", row))
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "items": len(rows),
        "vague": tp + fn,
        "flagged": tp + fp,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "precision_ci": wilson(tp, tp + fp),
        "recall": recall,
        "recall_ci": wilson(tp, tp + fn),
        "mistakes": mistakes,
    }


def operating_points(rows: list[dict]) -> int:
    """How much the hand-set cut flatters: the same folds as bench/understanding.py (patterns shaped by the
    held-out organisation alone off, weights refitted without it) at other cuts, and with a cut chosen per fold."""
    import importlib.util

    from tracker.lint.wording import is_vague
    from tracker.lint.wording_model import CUT
    from tracker.lint.wording_training import fitted_on
    from tracker.provenance import holding_out

    spec = importlib.util.spec_from_file_location(
        "understanding", Path(__file__).with_name("understanding.py")
    )
    assert spec is not None and spec.loader is not None
    understanding = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(understanding)
    for row in rows:
        row["organisation"] = understanding.organisation(row["source"])
    agreed = [r for r in rows if bool(r["vague"]) == bool(r.get("vague_second", r["vague"]))]
    organisations = sorted({r["organisation"] for r in agreed})
    for name, cut in ((f"shipped cut {CUT}", CUT), ("cut 0", 0.0), ("cut chosen per fold", None)):
        predictions: dict[int, bool] = {}
        for held in organisations:
            with holding_out(held), fitted_on([r for r in rows if r["organisation"] != held], cut=cut):
                predictions.update((id(r), is_vague(r["text"])) for r in agreed if r["organisation"] == held)
        figures = evaluate(
            agreed, lambda text, p=predictions, by_text={r["text"]: id(r) for r in agreed}: p[by_text[text]]
        )
        lo_p, hi_p = figures["precision_ci"]
        lo_r, hi_r = figures["recall_ci"]
        print(
            f"{name:22} precision {figures['precision']:.3f} ({lo_p:.3f}-{hi_p:.3f})  "
            f"recall {figures['recall']:.3f} ({lo_r:.3f}-{hi_r:.3f})  TP {figures['tp']} FP {figures['fp']} FN {figures['fn']}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=str(DEFAULT), help="labeled JSONL (text, vague)")
    parser.add_argument("--show", action="store_true", help="print every false positive and false negative")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--operating-points",
        action="store_true",
        help="leave-one-organisation-out figures at the shipped cut, at cut 0 and with the cut chosen per fold",
    )
    args = parser.parse_args(argv)

    from tracker.lint.structure import structure_matches
    from tracker.lint.wording import wording_matches

    rows = [
        json.loads(line) for line in Path(args.path).read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    if args.operating_points:
        return operating_points(rows)
    wording = evaluate(rows, lambda text: wording_matches(text))
    structure = evaluate(rows, lambda text: structure_matches(text))
    if args.json:
        strip = lambda r: {k: v for k, v in r.items() if k != "mistakes"}  # noqa: E731
        print(json.dumps({"wording": strip(wording), "structure": strip(structure)}, indent=2))
        return 0
    lo_p, hi_p = wording["precision_ci"]
    lo_r, hi_r = wording["recall_ci"]
    print(
        f"wording rules vs 'vague': {wording['items']} items, {wording['vague']} labeled vague, {wording['flagged']} flagged"
    )
    print(
        f"  precision {wording['precision']:.3f} (95% Wilson {lo_p:.3f}-{hi_p:.3f})  TP {wording['tp']} FP {wording['fp']}"
    )
    print(f"  recall    {wording['recall']:.3f} (95% Wilson {lo_r:.3f}-{hi_r:.3f})  FN {wording['fn']}")
    # Structure rules judge something else (several actions, length), so 'vague' is not their ground truth:
    # report how often they fire and on what, for a reader to judge.
    print(
        f"structure rules: fire on {structure['flagged']} of {structure['items']} items ({structure['tp']} labeled vague)"
    )
    for row in rows:
        for rule_id, message in structure_matches(row["text"]):
            print(f"  {rule_id}: {message}: {row['text'][:90]!r}")
    if args.show:
        for kind, row in wording["mistakes"]:
            fired = "; ".join(f"{m.rule}: {m.matched!r}" for m in wording_matches(row["text"]))
            print(f"\n{kind}: {row['text'][:160]}\n    label: {row['why']}\n    fired: {fired or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
