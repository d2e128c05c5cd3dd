"""Agreement figures between predicted and human scores (eval-grader, benchmarks/grader.py).

Plain numpy: Pearson, Spearman, weak-answer AUC, and RMSE after a linear map fitted only on rows of
other questions (so no row's own label, nor its question's, informs its prediction).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bot.grading.thresholds import STRONG_SCORE

WEAK_BELOW = STRONG_SCORE  # a gold score below the strong-answer line counts as weak


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    a, b = np.asarray(x, float), np.asarray(y, float)
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank), 1-based."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values), float)
    sorted_values = values[order]
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    return pearson(_ranks(np.asarray(x, float)), _ranks(np.asarray(y, float)))


def auc_weak(predicted: Sequence[float], gold: Sequence[float], weak_below: float = WEAK_BELOW) -> float:
    """Probability that a weak answer (gold < 3.5) is predicted lower than a non-weak one."""
    pred, labels = np.asarray(predicted, float), np.asarray(gold, float) < weak_below
    n_weak, n_ok = int(labels.sum()), int((~labels).sum())
    if n_weak == 0 or n_ok == 0:
        return float("nan")
    ranks = _ranks(-pred)  # high rank = low prediction
    return float((ranks[labels].sum() - n_weak * (n_weak + 1) / 2) / (n_weak * n_ok))


def held_out_rmse(predicted: Sequence[float], gold: Sequence[float], groups: Sequence[str]) -> float:
    """RMSE after `gold ≈ a·pred + b`, with a, b fitted on the rows of the other groups, clipped to 0-5."""
    pred, y = np.asarray(predicted, float), np.asarray(gold, float)
    group_array = np.asarray(groups)
    fitted = np.empty_like(y)
    for group in dict.fromkeys(groups):
        held = group_array == group
        train = ~held
        if train.sum() >= 2 and pred[train].std() > 0:
            a, b = np.polyfit(pred[train], y[train], 1)
        else:  # a single question: fall back to the identity map
            a, b = 1.0, 0.0
        fitted[held] = np.clip(a * pred[held] + b, 0.0, 5.0)
    return float(np.sqrt(np.mean((fitted - y) ** 2))) if len(y) else float("nan")
