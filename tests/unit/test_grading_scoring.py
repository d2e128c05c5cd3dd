"""scoring.judge on hand-made evidence: bank rubrics read the score off statuses; reference rubrics keep a
continuous score whose statuses still agree with it (Mohler's one-sentence references)."""

from __future__ import annotations

import pytest

from bot.grading import scoring


def _signals(*coverages: float, polarity: bool = False) -> scoring.AnswerSignals:
    points = tuple(
        scoring.PointSignals(
            coverage=c, entailed=0.0, contradicted=0.0, wrong_statement=None, says_wrong_claim=False,
            polarity_conflict=polarity, wrong_similarity=0.0, wrong_lead=-1.0, misconception=False, evidence=None,
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
    judged = scoring.judge(_signals(0.9, polarity=True), [(1.0, False)], graded=False)
    assert judged.statuses == ("contradicted",)
    assert judged.score <= scoring.NOTHING_RIGHT_CAP
