"""The wording decision: a small logistic model over the vagueness classes and concreteness signals, refittable."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
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
DECISIVE = frozenset({"link"})
# The prior each weight is pulled towards (hand-set, not fitted): any class of vagueness alone makes an
# item vague, any concreteness signal pulls back. The data moves a weight away from its prior only as
# far as the evidence for it goes, so a class the training folds rarely see keeps its prior meaning.
PRIOR_BIAS = -1.0
PRIOR_CLASS = 2.5
PRIOR_SIGNAL = -0.5
PENALTY = 2.0  # L2 strength towards the prior
# Vague when the log-odds exceed the shipped CUT (0.5: probability 0.62), not 0, because a flag on a good
# item costs more trust than a missed vague one. The cut is hand-set, after reading the leave-one-
# organisation-out figures; `choose_cut` picks one from data instead, for the benchmark to compare.
BETA = 0.5  # choose_cut maximises F-beta: precision weighs more than recall
CUTS = tuple(step / 10 for step in range(-10, 21))

CUT = 0.5
_active: dict[str, Any] = {"bias": BIAS, "weights": dict(WEIGHTS), "cut": CUT}


def score(present: Iterable[str]) -> float:
    """The log-odds that an item with these features is vague."""
    weights = _active["weights"]
    return float(_active["bias"] + sum(weights.get(name, 0.0) for name in set(present)))


def decide(present: Iterable[str]) -> bool:
    """Vague when the log-odds exceed the cut and at least one class of vagueness fired (so there is a reason)."""
    names = set(present)
    if DECISIVE & names:
        return True  # nothing to weigh: an item that is only a link has no action whatever else it shows
    if not names & set(CLASSES):
        return False
    if not names & set(SIGNALS):
        return True  # a class of vagueness and nothing concrete to weigh against it
    return score(names) > float(_active["cut"])


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
