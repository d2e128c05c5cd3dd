"""scoring.judge on hand-made evidence: bank rubrics read the score off statuses; reference rubrics keep a
continuous score whose statuses still agree with it (Mohler's one-sentence references)."""

from __future__ import annotations

import pytest

from bot.grading import scoring


def _signals(*coverages: float, wrong: float = 0.0) -> scoring.AnswerSignals:
    points = tuple(
        scoring.PointSignals(
            coverage=c, entailed=0.0, contradicted=0.0, wrong_statement=None, says_wrong_claim=False,
            wrong_similarity=0.0, wrong_lead=-1.0, misconception=False, evidence=None,
            checked=wrong > 0, checker_contradicted=wrong,
        )
        for c in coverages
    )
    return scoring.AnswerSignals(points, (), False)


def test_a_half_right_answer_to_a_one_sentence_reference_keeps_its_continuous_score() -> None:
    judged = scoring.judge(_signals(0.5), [(1.0, False)], graded=False)
    assert judged.statuses == ("partial",)
    assert judged.score == pytest.approx(2.5)


@pytest.mark.parametrize("coverage", [0.0, 0.1, 0.19])
def test_a_reference_point_is_missing_only_where_the_score_is_at_most_one(coverage: float) -> None:
    judged = scoring.judge(_signals(coverage), [(1.0, False)], graded=False)
    assert judged.statuses == ("missing",)
    assert judged.score <= scoring.NOTHING_RIGHT_CAP


def test_reference_statuses_and_scores_agree_across_the_range() -> None:
    for step in range(101):
        coverage = step / 100
        judged = scoring.judge(_signals(coverage, coverage), [(1.0, False), (1.0, False)], graded=False)
        if all(s == "missing" for s in judged.statuses):
            assert judged.score <= scoring.NOTHING_RIGHT_CAP
        if all(s == "covered" for s in judged.statuses):
            assert judged.score >= scoring.COMPLETE_FLOOR


def test_bank_rubrics_still_cap_an_answer_with_every_point_missing() -> None:
    judged = scoring.judge(_signals(0.5, 0.55), [(1.0, True), (1.0, False)], graded=True)
    assert judged.statuses == ("missing", "missing")
    assert judged.score <= scoring.NOTHING_RIGHT_CAP


def test_a_contradicted_reference_point_scores_at_most_one() -> None:
    signals = _signals(0.9)
    wrong = scoring.PointSignals(**{**signals.points[0].__dict__, "misconception": True})
    judged = scoring.judge(scoring.AnswerSignals((wrong,), (), False), [(1.0, False)], graded=False)
    assert judged.statuses == ("contradicted",)
    assert judged.score <= scoring.NOTHING_RIGHT_CAP


def _modelled(*status: tuple[float, float]) -> scoring.AnswerSignals:
    """Bank-rubric signals whose status model said `status` (P(covered), P(contradicted)) per point."""
    return scoring.AnswerSignals(_signals(*(0.7 for _ in status)).points, (), False, tuple(status))


def test_the_status_model_below_its_thresholds_marks_nothing_wrong() -> None:
    sure = (scoring.STATUS_COVERED_AT, scoring.STATUS_CONTRADICTED_AT - 0.01)
    judged = scoring.judge(_modelled(sure, sure), [(1.0, True), (1.0, False)], graded=True)
    assert judged.statuses == ("covered", "covered")
    assert judged.score >= scoring.COMPLETE_FLOOR


def test_a_point_the_model_doubts_is_partial_on_coverage_alone() -> None:
    doubt = (scoring.STATUS_COVERED_AT - 0.01, 0.0)
    judged = scoring.judge(_modelled(doubt, doubt), [(1.0, False), (1.0, False)], graded=True)
    assert judged.statuses == ("partial", "partial")  # coverage 0.7 is above PARTIAL_AT
    assert judged.score == pytest.approx(5.0 * scoring.PARTIAL_CREDIT)


def test_a_modelled_wrong_central_point_caps_an_otherwise_full_answer() -> None:
    judged = scoring.judge(_modelled((0.9, scoring.STATUS_CONTRADICTED_AT), (0.9, 0.0)),
                           [(1.0, True), (1.0, False)], graded=True)
    assert judged.statuses == ("contradicted", "covered")
    assert judged.score <= scoring.CENTRAL_WRONG_CAP


def test_reference_rubrics_ignore_status_probabilities() -> None:
    judged = scoring.judge(_modelled((0.0, 1.0)), [(1.0, False)], graded=False)
    assert judged.statuses == ("partial",)
