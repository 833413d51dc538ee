"""The wording decision: a small logistic model over the vagueness classes and concreteness signals, refittable."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from tracker.lint.wording_weights import BIAS, WEIGHTS

# The inputs, in a fixed order. Classes of vagueness push towards "vague", concreteness signals away.
CLASSES = (
    "aspiration",
    "hedge",
    "explore",
    "continuation",
    "question",
    "discussion",
    "outcome",
    "topic",
    "link",
    "training",
    "comparison",
    "improve",
    "generic",
    "unmeasured",
    "unbounded",
)
SIGNALS = ("number", "code", "named", "artefact", "done")
FEATURES = CLASSES + SIGNALS
# The prior each weight is pulled towards (hand-set, not fitted): any class of vagueness alone makes an
# item vague, any concreteness signal pulls back. The data moves a weight away from its prior only as
# far as the evidence for it goes, so a class the training folds rarely see keeps its prior meaning.
PRIOR_BIAS = -1.0
PRIOR_CLASS = 2.5
PRIOR_SIGNAL = -0.5
PENALTY = 2.0  # L2 strength towards the prior
# Vague when the log-odds exceed CUT (probability 0.62), not 0: a flag on a good item costs more trust than
# a missed vague one. Hand-set after reading the leave-one-organisation-out figures (docs/lint.md).
CUT = 0.5

_active: dict[str, Any] = {"bias": BIAS, "weights": dict(WEIGHTS)}


def score(present: Iterable[str]) -> float:
    """The log-odds that an item with these features is vague."""
    weights = _active["weights"]
    return float(_active["bias"] + sum(weights.get(name, 0.0) for name in set(present)))


def decide(present: Iterable[str]) -> bool:
    """Vague when the log-odds are positive and at least one class of vagueness fired (so there is a reason)."""
    names = set(present)
    return bool(names & set(CLASSES)) and score(names) > CUT


def fit(
    samples: Sequence[tuple[Iterable[str], bool]], penalty: float = PENALTY
) -> tuple[float, dict[str, float]]:
    """Fit bias and weights by L2-penalised logistic regression (Newton's method; pure Python, < 0.1 s)."""
    rows = [[1.0] + [1.0 if name in set(present) else 0.0 for name in FEATURES] for present, _ in samples]
    labels = [1.0 if vague else 0.0 for _, vague in samples]
    size = len(FEATURES) + 1
    prior = [PRIOR_BIAS] + [PRIOR_CLASS if name in CLASSES else PRIOR_SIGNAL for name in FEATURES]
    beta = prior[:]
    for _ in range(50):
        gradient = [0.0] * size
        hessian = [[0.0] * size for _ in range(size)]
        for x, y in zip(rows, labels, strict=True):
            z = sum(b * v for b, v in zip(beta, x, strict=True))
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
            weight = p * (1.0 - p)
            for i in range(size):
                if x[i]:
                    gradient[i] += (y - p) * x[i]
                    for j in range(size):
                        if x[j]:
                            hessian[i][j] += weight * x[i] * x[j]
        for i in range(size):
            gradient[i] -= penalty * (beta[i] - prior[i])
            hessian[i][i] += penalty
        step = _solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return beta[0], {name: beta[i + 1] for i, name in enumerate(FEATURES)}


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the system is small and positive definite)."""
    n = len(vector)
    a = [[*row[:], vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            factor = a[r][col] / a[col][col]
            if factor:
                for c in range(col, n + 1):
                    a[r][c] -= factor * a[col][c]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        out[r] = (a[r][n] - sum(a[r][c] * out[c] for c in range(r + 1, n))) / a[r][r]
    return out


def training_samples(rows: Iterable[Mapping[str, Any]]) -> list[tuple[frozenset[str], bool]]:
    """(features, vague) for labeled rows (where a second reader labeled a row, only rows both agree on),
    plus the items written apart from any organisation (tracker/lint/written_items.py)."""
    from tracker.lint.wording import features
    from tracker.lint.written_items import WRITTEN_SPECIFIC, WRITTEN_VAGUE

    samples = [
        (features(str(row["text"])), bool(row["vague"]))
        for row in rows
        if bool(row["vague"]) == bool(row.get("vague_second", row["vague"]))
    ]
    samples += [(features(text), False) for text in WRITTEN_SPECIFIC]
    samples += [(features(text), True) for text in WRITTEN_VAGUE]
    return samples


@contextmanager
def fitted_on(rows: Iterable[Mapping[str, Any]]) -> Iterator[None]:
    """Decide with weights fitted on `rows` only (the benchmark's leave-one-organisation-out folds)."""
    bias, weights = fit(training_samples(rows))
    saved = dict(_active)
    _active.update(bias=bias, weights=weights)
    try:
        yield
    finally:
        _active.clear()
        _active.update(saved)
