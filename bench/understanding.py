"""Score import and lint on ../shared/examples by organisation; the headline leaves each organisation out.

Import: every `<name>.md` with an answer key is imported through the real CLI into a scratch SQLite
database and compared with `<name>.expected.json`: items found (a stored item whose title matches an
expected one), read exactly (title, owner, deadline and status all as the key says), extra items,
and documents with items that came out empty (and whether that was warned about).

Lint: the wording rules against `action-items.dev.jsonl`, on the items both readers label alike.

Leave-one-organisation-out: each organisation is scored with `tracker.provenance.holding_out(org)` in
force, which switches off every import form and lint rule that was shaped by that organisation's
documents alone, and (when the wording rules have fitted weights) with the weights refitted on the
other organisations' items. Those figures are the headline; in-sample figures are printed beside them.

    python bench/understanding.py            # tables by organisation, headline, in-sample beside it
    python bench/understanding.py --json     # the figures as JSON
    python bench/understanding.py --check    # exit 1 when a headline figure is under its floor (CI)
    python bench/understanding.py --show     # every miss, for reading (never for writing rules at lines)
    python bench/understanding.py --examples DIR --documents   # any folder in the same layout, by document
                                             # (import only when DIR has no action-items.dev.jsonl)
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import math
import os
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"

# Floors for `--check`, a few points under the leave-one-organisation-out figures measured on this
# code (docs/import.md, docs/lint.md): a change that loses accuracy fails CI.
FLOORS = {
    "import_found": 0.93,
    "import_exact": 0.92,
    "lint_precision": 0.87,
    "lint_recall": 0.80,
}
TITLE_MATCH = 0.6  # similarity at which a stored title counts as the expected item, found but not exact


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion."""
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return (max(0.0, centre - margin), min(1.0, centre + margin))


def organisation(source: str) -> str:
    """The organisation a document or item comes from: its GitHub owner, else the source's host."""
    url = re.search(r"https?://[^\s)\"]+", source)
    if url is None:
        return "guide"
    match = re.match(r"https?://(?:www\.)?github\.com/([^/\s]+)/", url.group(0))
    return match.group(1).lower() if match else url.group(0).split("/")[2].lower()


def document_organisation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return organisation(first) if "source:" in first else "guide"


# -- import ---------------------------------------------------------------------------------------


def _plain(text: str | None) -> str | None:
    from tracker.importing.markdown import to_plain

    return None if text is None else re.sub(r"\s+", " ", to_plain(text)).strip()


def _same(a: str | None, b: str | None) -> bool:
    squash = lambda s: None if s is None else re.sub(r"\s+", " ", s).strip()  # noqa: E731
    return squash(a) == squash(b)


def score_document(expected: list[dict[str, Any]], got: list[dict[str, Any]]) -> dict[str, Any]:
    """Match stored items to the key in order of similarity; count found, exact, missed and extra."""
    want = [{**row, "title": _plain(row["title"])} for row in expected]
    have = [{**row, "title": _plain(row["title"])} for row in got]
    pairs: list[tuple[float, int, int]] = []
    for i, w in enumerate(want):
        for j, h in enumerate(have):
            ratio = difflib.SequenceMatcher(
                None, (w["title"] or "").casefold(), (h["title"] or "").casefold()
            ).ratio()
            if ratio >= TITLE_MATCH:
                pairs.append((ratio, i, j))
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _ratio, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if i not in matched and j not in used:
            matched[i] = j
            used.add(j)
    exact = 0
    misses = []
    for i, w in enumerate(want):
        index = matched.get(i)
        stored: dict[str, Any] | None = have[index] if index is not None else None
        if stored is not None and all(
            _same(w[k], stored[k]) for k in ("title", "owner", "deadline", "status")
        ):
            exact += 1
        else:
            misses.append({"expected": w, "got": stored})
    extra = [h for j, h in enumerate(have) if j not in used]
    return {
        "expected": len(want),
        "found": len(matched),
        "exact": exact,
        "extra": len(extra),
        "misses": misses,
        "extras": extra,
    }


class _Importer:
    """The real CLI against one scratch SQLite database; documents keep their own slugs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.database = folder / "tracker.db"
        (folder / "tracker.toml").write_text('[database]\npath = "tracker.db"\n', encoding="utf-8")

    def run(self, path: Path) -> tuple[list[dict[str, Any]], list[str], bool]:
        from click.testing import CliRunner

        from tracker.cli import cli

        result = CliRunner().invoke(
            cli,
            ["--config", str(self.folder / "tracker.toml"), "import", str(path), "--format", "json"],
            catch_exceptions=True,
        )
        try:
            [report] = json.loads(result.stdout)["documents"]
        except (ValueError, KeyError):
            return [], [f"import failed: {result.output[-300:]}"], False
        if not report["ok"]:
            return [], [str(report.get("error"))], False
        return self._items(report["slug"]), [str(w) for w in report.get("warnings") or []], True

    def _items(self, slug: str) -> list[dict[str, Any]]:
        from sqlalchemy import create_engine, select
        from sqlalchemy.orm import Session

        from tracker.models import ActionItem, Postmortem

        engine = create_engine(f"sqlite:///{self.database}")
        try:
            with Session(engine) as session:
                rows = session.scalars(
                    select(ActionItem)
                    .join(Postmortem)
                    .where(Postmortem.slug == slug, ActionItem.removed_at.is_(None))
                    .order_by(ActionItem.position, ActionItem.id)
                )
                return [
                    {
                        "title": r.title,
                        "owner": r.owner_text,
                        "deadline": r.deadline_text,
                        "status": r.status_text,
                    }
                    for r in rows
                ]
        finally:
            engine.dispose()


def import_figures(examples: Path, leave_out: bool) -> dict[str, Any]:
    from tracker.provenance import holding_out

    documents = sorted(
        p
        for p in examples.glob("*.md")
        if (p.with_suffix("").with_suffix(".expected.json")).exists()
        or (examples / f"{p.stem}.expected.json").exists()
    )
    per_document = []
    with tempfile.TemporaryDirectory() as scratch, _quiet():
        importer = _Importer(Path(scratch))
        for path in documents:
            org = document_organisation(path)
            expected = json.loads((examples / f"{path.stem}.expected.json").read_text(encoding="utf-8"))
            with holding_out(org if leave_out else None):
                got, warnings, ok = importer.run(path)
            score = score_document(expected, got)
            score.update(
                document=path.stem,
                organisation=org,
                ok=ok,
                empty=bool(expected) and not got,
                warned=bool(warnings),
                warnings=warnings,
            )
            per_document.append(score)
    return _summarise_import(per_document)


def _summarise_import(per_document: list[dict[str, Any]]) -> dict[str, Any]:
    def total(rows: list[dict[str, Any]]) -> dict[str, Any]:
        expected = sum(r["expected"] for r in rows)
        found = sum(r["found"] for r in rows)
        exact = sum(r["exact"] for r in rows)
        return {
            "documents": len(rows),
            "expected": expected,
            "found": found,
            "exact": exact,
            "extra": sum(r["extra"] for r in rows),
            "found_rate": found / expected if expected else 1.0,
            "exact_rate": exact / expected if expected else 1.0,
            "found_ci": wilson(found, expected),
            "exact_ci": wilson(exact, expected),
            "empty": sum(1 for r in rows if r["empty"]),
            "empty_unwarned": sum(1 for r in rows if r["empty"] and not r["warned"]),
            "failed": sum(1 for r in rows if not r["ok"]),
        }

    by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in per_document:
        by_org[row["organisation"]].append(row)
    return {
        "overall": total(per_document),
        "by_organisation": {org: total(rows) for org, rows in sorted(by_org.items())},
        "documents": per_document,
    }


# -- lint -----------------------------------------------------------------------------------------


def lint_rows(examples: Path) -> list[dict[str, Any]]:
    path = examples / "action-items.dev.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        row["organisation"] = organisation(row["source"])
    return rows


def _fitted_on(rows: list[dict[str, Any]]) -> contextlib.AbstractContextManager[Any]:
    """Weights refitted on `rows` when the wording rules have fitted weights; else nothing changes."""
    from tracker.lint import wording_training

    fit = getattr(wording_training, "fitted_on", None)
    return fit(rows) if fit is not None else contextlib.nullcontext()


def lint_figures(examples: Path, leave_out: bool) -> dict[str, Any]:
    from tracker.lint.wording import is_vague
    from tracker.provenance import holding_out

    rows = lint_rows(examples)
    agreed = [r for r in rows if bool(r["vague"]) == bool(r.get("vague_second", r["vague"]))]
    by_org: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in agreed:
        by_org[row["organisation"]].append(row)
    predictions: list[tuple[dict[str, Any], bool]] = []
    for org, members in sorted(by_org.items()):
        training = [r for r in rows if r["organisation"] != org] if leave_out else rows
        with holding_out(org if leave_out else None), _fitted_on(training):
            predictions.extend((row, bool(is_vague(row["text"]))) for row in members)

    def total(pairs: list[tuple[dict[str, Any], bool]]) -> dict[str, Any]:
        tp = sum(1 for r, p in pairs if p and r["vague"])
        fp = sum(1 for r, p in pairs if p and not r["vague"])
        fn = sum(1 for r, p in pairs if not p and r["vague"])
        return {
            "items": len(pairs),
            "vague": tp + fn,
            "flagged": tp + fp,
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / (tp + fn) if tp + fn else 1.0,
            "precision_ci": wilson(tp, tp + fp),
            "recall_ci": wilson(tp, tp + fn),
        }

    grouped: dict[str, list[tuple[dict[str, Any], bool]]] = defaultdict(list)
    for row, predicted in predictions:
        grouped[row["organisation"]].append((row, predicted))
    return {
        "overall": total(predictions),
        "by_organisation": {org: total(pairs) for org, pairs in sorted(grouped.items())},
        "mistakes": [
            {"text": r["text"], "vague": r["vague"], "why": r.get("why"), "organisation": r["organisation"]}
            for r, p in predictions
            if p != bool(r["vague"])
        ],
    }


# -- output ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The CLI's own logging goes nowhere while the bench imports documents."""
    with open(os.devnull, "w") as sink, contextlib.redirect_stderr(sink):
        yield


def measure(examples: Path) -> dict[str, Any]:
    """Import and lint figures; a folder without `action-items.dev.jsonl` is scored on import only."""
    figures: dict[str, Any] = {
        "import": {
            "leave_one_out": import_figures(examples, True),
            "in_sample": import_figures(examples, False),
        },
        "lint": None,
    }
    if (examples / "action-items.dev.jsonl").exists():
        figures["lint"] = {
            "leave_one_out": lint_figures(examples, True),
            "in_sample": lint_figures(examples, False),
        }
    return figures


def headline(figures: dict[str, Any]) -> dict[str, float]:
    imp = figures["import"]["leave_one_out"]["overall"]
    result = {"import_found": imp["found_rate"], "import_exact": imp["exact_rate"]}
    if figures["lint"] is not None:
        lint = figures["lint"]["leave_one_out"]["overall"]
        result.update(lint_precision=lint["precision"], lint_recall=lint["recall"])
    return result


def _print_documents(figures: dict[str, Any]) -> None:
    print("IMPORT by document (leave-one-organisation-out)")
    print(f"  {'document':46} {'items':>5} {'found':>5} {'exact':>5} {'extra':>5} {'empty':>5}")
    for doc in figures["import"]["leave_one_out"]["documents"]:
        print(
            f"  {doc['document'][:46]:46} {doc['expected']:5} {doc['found']:5} {doc['exact']:5}"
            f" {doc['extra']:5} {'yes' if doc['empty'] else '':>5}"
        )
    print()


def _print(figures: dict[str, Any], show: bool) -> None:
    loo, ins = figures["import"]["leave_one_out"], figures["import"]["in_sample"]
    print("IMPORT by organisation (leave-one-organisation-out)")
    print(
        f"  {'organisation':26} {'docs':>4} {'items':>5} {'found':>6} {'exact':>6} {'extra':>5} {'empty':>5}"
    )
    for org, t in loo["by_organisation"].items():
        print(
            f"  {org:26} {t['documents']:4} {t['expected']:5} {t['found_rate']:6.0%} {t['exact_rate']:6.0%}"
            f" {t['extra']:5} {t['empty']:5}"
        )
    o, i = loo["overall"], ins["overall"]
    print(
        f"  headline: found {o['found']}/{o['expected']} = {o['found_rate']:.1%}"
        f" (95% {o['found_ci'][0]:.1%}-{o['found_ci'][1]:.1%}), exact {o['exact']} = {o['exact_rate']:.1%}"
        f" (95% {o['exact_ci'][0]:.1%}-{o['exact_ci'][1]:.1%}), extra {o['extra']},"
        f" empty {o['empty']} ({o['empty_unwarned']} without a warning), failed {o['failed']}"
    )
    print(
        f"  in-sample (optimistic): found {i['found_rate']:.1%}, exact {i['exact_rate']:.1%}, extra {i['extra']}"
    )
    if show:
        for doc in loo["documents"]:
            for miss in doc["misses"]:
                print(f"\nMISS {doc['document']}: expected {miss['expected']}\n     got {miss['got']}")
            for extra in doc["extras"]:
                print(f"\nEXTRA {doc['document']}: {extra}")
    if figures["lint"] is None:
        print("\nLINT not scored: no action-items.dev.jsonl in this folder")
        return
    lint_loo, lint_in = figures["lint"]["leave_one_out"], figures["lint"]["in_sample"]
    print("\nLINT wording vs 'vague', items both readers agree on (leave-one-organisation-out)")
    print(f"  {'organisation':26} {'items':>5} {'vague':>5} {'TP':>4} {'FP':>4} {'FN':>4}")
    for org, t in lint_loo["by_organisation"].items():
        print(f"  {org:26} {t['items']:5} {t['vague']:5} {t['tp']:4} {t['fp']:4} {t['fn']:4}")
    o, i = lint_loo["overall"], lint_in["overall"]
    print(
        f"  headline: precision {o['precision']:.3f} (95% {o['precision_ci'][0]:.3f}-{o['precision_ci'][1]:.3f}),"
        f" recall {o['recall']:.3f} (95% {o['recall_ci'][0]:.3f}-{o['recall_ci'][1]:.3f}) on {o['items']} items"
    )
    print(f"  in-sample (optimistic): precision {i['precision']:.3f}, recall {i['recall']:.3f}")
    if show:
        for mistake in lint_loo["mistakes"]:
            kind = "FN" if mistake["vague"] else "FP"
            print(
                f"\n{kind} [{mistake['organisation']}] {mistake['text'][:160]}\n    label: {mistake['why']}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--examples", default=str(EXAMPLES), help="folder of examples (default ../shared/examples)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a headline figure is under its floor"
    )
    parser.add_argument("--show", action="store_true", help="print every miss and extra item")
    parser.add_argument(
        "--documents", action="store_true", help="print found/exact/extra/empty for every document"
    )
    args = parser.parse_args(argv)
    examples = Path(args.examples)
    if not examples.is_dir():
        print(f"error: {examples} not found: the examples live in ../shared/examples beside the checkout")
        return 2
    figures = measure(examples)
    figures["headline"] = headline(figures)
    figures["floors"] = FLOORS
    if args.json:
        print(json.dumps(figures, indent=1, default=str))
    else:
        if args.documents:
            _print_documents(figures)
        _print(figures, args.show)
    if args.check:
        below = {k: v for k, v in figures["headline"].items() if v < FLOORS[k]}
        for key, value in below.items():
            print(f"FAIL {key} {value:.3f} is under its floor {FLOORS[key]:.3f}", file=sys.stderr)
        empty = figures["import"]["leave_one_out"]["overall"]["empty_unwarned"]
        if not below:
            print(
                f"understanding: every headline figure is at or above its floor ({empty} empty documents unwarned)"
            )
        return 1 if below else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
