"""Fitting the wording model: labeled rows to samples, weights per fold, a cut chosen from data, refits in scope."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from tracker.lint.wording import features
from tracker.lint.wording_model import BETA, CLASSES, CUT, CUTS, _active, fit

Sample = tuple[frozenset[str], bool]


def training_samples(rows: Iterable[Mapping[str, Any]]) -> dict[str | None, list[Sample]]:
    """(features, vague) by organisation for labeled rows (where a second reader labeled a row, only rows
    both agree on); under None the items written apart from any organisation (written_items.py)."""
    from tracker.lint.written_items import WRITTEN_SPECIFIC, WRITTEN_VAGUE

    groups: dict[str | None, list[Sample]] = {}
    for row in rows:
        if bool(row["vague"]) != bool(row.get("vague_second", row["vague"])):
            continue
        organisation = str(row.get("organisation") or row.get("source") or "")
        groups.setdefault(organisation, []).append((features(str(row["text"])), bool(row["vague"])))
    groups[None] = [(features(text), False) for text in WRITTEN_SPECIFIC]
    groups[None] += [(features(text), True) for text in WRITTEN_VAGUE]
    return groups


def choose_cut(groups: Mapping[str | None, list[Sample]], beta: float | None = None) -> float:
    """The cut maximising F-beta when each organisation is scored by weights fitted without it."""
    beta = BETA if beta is None else beta
    scored: list[tuple[float, bool, bool]] = []
    for held in (g for g in groups if g is not None):
        bias, weights = fit([s for g, samples in groups.items() if g != held for s in samples])
        for present, vague in groups[held]:
            value = bias + sum(weights.get(name, 0.0) for name in present)
            scored.append((value, bool(present & set(CLASSES)), vague))
    best, best_f = 0.0, -1.0
    for cut in CUTS:
        tp = sum(1 for value, cue, vague in scored if cue and value > cut and vague)
        fp = sum(1 for value, cue, vague in scored if cue and value > cut and not vague)
        fn = sum(1 for value, cue, vague in scored if vague and not (cue and value > cut))
        f = (1 + beta**2) * tp / max(1e-9, (1 + beta**2) * tp + beta**2 * fn + fp)
        if f > best_f + 1e-9:
            best, best_f = cut, f
    return best


def fit_all(
    rows: Iterable[Mapping[str, Any]], cut: float | None = CUT
) -> tuple[float, dict[str, float], float]:
    """Bias, weights and cut for these labeled rows; with `cut=None` the cut is chosen from the rows too
    (by `choose_cut`, for which the rows need an `organisation` or a `source`)."""
    groups = training_samples(rows)
    bias, weights = fit([s for samples in groups.values() for s in samples])
    return bias, weights, choose_cut(groups) if cut is None else cut


@contextmanager
def fitted_on(rows: Iterable[Mapping[str, Any]], cut: float | None = CUT) -> Iterator[None]:
    """Decide with weights fitted on `rows` only (the benchmark's leave-one-organisation-out folds); the
    shipped cut unless `cut` says otherwise (None: chosen from the rows as well)."""
    bias, weights, cut = fit_all(rows, cut)
    saved = dict(_active)
    _active.update(bias=bias, weights=weights, cut=cut)
    try:
        yield
    finally:
        _active.clear()
        _active.update(saved)
