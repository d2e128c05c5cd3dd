"""From raw evidence to coverage, status and a 0-5 score: every calibration constant lives here.

The constants were fixed by reasoning about MiniLM's cosine ranges (unrelated sentences sit near
0.1-0.3, close paraphrases above 0.7) and checked on our own labelled dev set
(tests/data/grader_dev.csv); Mohler was only looked at, never fitted (no search over its labels).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.grading.coverage import PointEvidence
from bot.grading.grade import KeyPointStatus

#: (low, high): below low a signal gives no credit, above high full credit. Saturating at the top
#: matters: a fully correct answer should reach 5 however it is worded.
ALIGNMENT_RAMP = (0.2, 0.7)
SIMILARITY_RAMP = (0.3, 0.8)
DEMOTED_SIMILARITY_RAMP = (0.1, 0.6)

#: Token alignment is the strongest single signal (grading.md §7: BERTScore-style recall beats plain
#: cosine), then question-demoted similarity; unit similarity and term recall add robustness
#: (paraphrases without the words; exact technical terms). Chosen among five candidate mixes on our
#: dev set (all within r 0.93-0.95 there), with a sanity look at Mohler (r 0.61-0.64 across them).
WEIGHT_ALIGNMENT = 0.5
WEIGHT_SIMILARITY = 0.1
WEIGHT_DEMOTED_SIMILARITY = 0.25
WEIGHT_TERMS = 0.15

#: Coverage is generous near the bottom (same-topic text aligns at ~0.5), so "partial" starts high.
COVERED_AT = 0.75
PARTIAL_AT = 0.6

#: Score lost per misconception stated (a strict interviewer marks a wrong claim down), at most twice.
MISCONCEPTION_PENALTY = 1.0
MAX_MISCONCEPTION_PENALTIES = 2
#: A list of terms is not an explanation: its coverage is scaled down and no point counts as covered.
KEYWORD_SALAD_FACTOR = 0.5


def _ramp(value: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return min(max((value - low) / (high - low), 0.0), 1.0)


def coverage_of(evidence: PointEvidence) -> float:
    return (
        WEIGHT_ALIGNMENT * _ramp(evidence.alignment, ALIGNMENT_RAMP)
        + WEIGHT_SIMILARITY * _ramp(evidence.similarity, SIMILARITY_RAMP)
        + WEIGHT_DEMOTED_SIMILARITY * _ramp(evidence.demoted_similarity, DEMOTED_SIMILARITY_RAMP)
        + WEIGHT_TERMS * evidence.term_recall
    )


def status_of(coverage: float, *, contradicted: bool = False, salad: bool = False) -> KeyPointStatus:
    if contradicted:
        return "contradicted"
    if coverage >= COVERED_AT and not salad:
        return "covered"
    if coverage >= PARTIAL_AT:
        return "partial"
    return "missing"


def score_of(
    coverages: Sequence[float], weights: Sequence[float], misconceptions: int, *, max_score: float = 5.0
) -> float:
    """Weighted coverage mapped to 0-5, minus misconception penalties, capped, rounded to 0.1."""
    total = sum(weights)
    raw = 5.0 * sum(c * w for c, w in zip(coverages, weights, strict=True)) / total if total else 0.0
    raw -= MISCONCEPTION_PENALTY * min(misconceptions, MAX_MISCONCEPTION_PENALTIES)
    return round(min(max(raw, 0.0), max_score), 1)
