"""The status model: from everything the grader found about one key point to P(covered) and P(contradicted).

Each signal alone is a weak reader. Coverage (similarity, word alignment, terms) measures closeness, so a
fluent wrong answer about the right topic looks covered; the claim checker (claim_checker.py) reads whether
a statement supports or contradicts the point, but on its own it marked right answers wrong too often. Two
logistic regressions over the signals together, trained on real answers labelled point by point by a reader
(scripts/train_point_status.py, model card in point_status.md), decide instead of hand-set thresholds on any
one of them. The listed-misconception, wrong-paraphrase and polarity rules still mark a point contradicted
on their own (scoring.is_contradicted): they are precise when they fire.

The weights ship as `point_status.npz` next to this module (float32, about 2 kB).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.grading.scoring import PointSignals
from bot.grading.weights_file import load_arrays, save_arrays

WEIGHTS_PATH = Path(__file__).with_name("point_status.npz")
FEATURE_NAMES = (
    "coverage", "alignment", "similarity", "demoted_similarity", "term_recall",
    "judge_entailed", "judge_contradicted", "wrong_similarity", "wrong_lead", "says_wrong_claim",
    "misconception", "polarity_conflict", "checked", "checker_contradicted", "checker_entailed",
    "salad", "central", "weight_share", "misconceptions",
    "coverage_squared", "alignment_x_judge_entailed",
    "answer_mean_coverage", "answer_max_coverage", "answer_max_checker_contradicted",
)
COVERED, CONTRADICTED = 0, 1
_ARRAYS = ("mean", "scale", "coef", "intercept")
# Not features, on purpose: the answer's length and the rubric's size. With the answer's length the model
# learned that long answers hold more wrong claims (true of the training answers) and marked a correct answer
# padded with filler contradicted; without both, blind dev r 0.857 -> 0.863 at the same covered F1 (first 980
# training answers).


@dataclass(frozen=True)
class PointContext:
    """What the status model needs to know about the answer and the rubric around one key point."""

    central: bool
    weight_share: float  # the point's weight over the rubric's total
    salad: bool
    misconceptions: int  # misconceptions stated anywhere in the answer
    #: over all the answer's key points: how much it covers on average and at best, and the checker's
    #: strongest doubt (a knowledgeable answer covers its other points too; a wrong one often errs twice)
    mean_coverage: float
    max_coverage: float
    max_checker_contradicted: float


def point_features(signal: PointSignals, context: PointContext) -> list[float]:
    raw = signal.raw
    alignment = raw.alignment if raw else 0.0
    return [
        signal.coverage, alignment, raw.similarity if raw else 0.0, raw.demoted_similarity if raw else 0.0,
        raw.term_recall if raw else 0.0,
        signal.entailed, signal.contradicted, signal.wrong_similarity, signal.wrong_lead,
        float(signal.says_wrong_claim), float(signal.misconception), float(signal.polarity_conflict),
        float(signal.checked), signal.checker_contradicted, signal.checker_entailed,
        float(context.salad), float(context.central), context.weight_share, float(context.misconceptions),
        signal.coverage**2, alignment * signal.entailed,
        context.mean_coverage, context.max_coverage, context.max_checker_contradicted,
    ]


@dataclass(frozen=True)
class StatusModel:
    """Two logistic regressions over standardised features: column 0 P(covered), column 1 P(contradicted)."""

    mean: np.ndarray  # (features,)
    scale: np.ndarray
    coef: np.ndarray  # (features, 2)
    intercept: np.ndarray  # (2,)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if features.shape[0] == 0:
            return np.zeros((0, 2), np.float64)
        z = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))

    def save(self, path: Path, **meta: str) -> None:
        save_arrays(path, FEATURE_NAMES, {n: getattr(self, n) for n in _ARRAYS}, np.float32, meta)

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> StatusModel:
        return cls(*load_arrays(path, FEATURE_NAMES, _ARRAYS, np.float64))


@lru_cache(maxsize=1)
def shipped_status_model() -> StatusModel:
    """The model shipped with the package (loaded once per process, offline)."""
    return StatusModel.load(WEIGHTS_PATH)
