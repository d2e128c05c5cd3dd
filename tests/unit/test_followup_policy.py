"""The follow-up policy and the report given a grade: wrong claims are corrected first, then the central point."""

from __future__ import annotations

from bot.bank.schema import KeyPoint, Misconception, Question
from bot.grading import Grade, KeyPointGrade
from bot.interview.followup import decide_follow_up
from bot.interview.report import QuestionReport, Report

QUESTION = Question(
    id="T08-951",
    topic="T08",
    difficulty="E",
    prompt="What is dropout, and why does it reduce overfitting?",
    key_points=[
        KeyPoint(id="kp1", weight=2, point="During training each unit is zeroed at random with probability p",
                 phrasings=["random units are switched off each step"], terms=["random", "zero|drop"],
                 follow_up="What happens to each unit on a training step?"),
        KeyPoint(id="kp2", weight=3, central=True,
                 point="Units cannot rely on specific other units, so they learn robust, redundant features.",
                 phrasings=["no co-adaptation"], terms=["co-adapt|rely"],
                 follow_up="Why does randomly removing units make the remaining ones learn better features?"),
        KeyPoint(id="kp3", weight=1, point="At test time dropout is off and activations are scaled to match.",
                 phrasings=["off at inference"], terms=["test|inference", "off|disable"],
                 follow_up="What does the layer do at test time?"),
    ],
    hint="Think about what a unit can count on.",
    reference_answer="Dropout zeroes units at random during training, so units cannot co-adapt; it is off at test time.",
    misconceptions=["M90"],
)
MYTH = Misconception(id="M90", title="Dropout shrinks the model permanently",
                     triggers=["dropout deletes neurons for good", "dropout makes the network smaller permanently"],
                     correction="Dropout removes nothing for good: every unit is back on the next step and at test time.")


def _grade(statuses: dict[str, str], score: float, misconceptions: tuple[str, ...] = ()) -> Grade:
    return Grade(score, tuple(
        KeyPointGrade(kp_id, status, 0.2 if status in ("missing", "contradicted") else 0.9,  # type: ignore[arg-type]
                      "Dropout removes neurons permanently." if status == "contradicted" else None)
        for kp_id, status in statuses.items()
    ), misconceptions, "ok")


def test_a_contradicted_point_is_corrected_with_the_right_fact_then_the_central_point_is_asked() -> None:
    grade = _grade({"kp1": "contradicted", "kp2": "missing", "kp3": "missing"}, 0.5)
    follow_up = decide_follow_up(QUESTION, grade, [], {"M90": MYTH})
    assert follow_up is not None and follow_up.kind == "correction"
    assert follow_up.key_point_id == "kp1"
    assert follow_up.correction == QUESTION.key_points[0].point + "."
    assert follow_up.question == QUESTION.key_point("kp2").follow_up


def test_a_wrong_claim_is_corrected_even_in_an_otherwise_strong_answer() -> None:
    grade = _grade({"kp1": "covered", "kp2": "covered", "kp3": "contradicted"}, 4.2)
    follow_up = decide_follow_up(QUESTION, grade, [], {})
    assert follow_up is not None and follow_up.kind == "correction" and follow_up.key_point_id == "kp3"
    assert QUESTION.key_point("kp3").point in (follow_up.correction or "")


def test_a_stated_misconception_adds_its_correction_to_the_contradicted_point() -> None:
    grade = _grade({"kp1": "contradicted", "kp2": "covered", "kp3": "covered"}, 1.0, ("M90",))
    follow_up = decide_follow_up(QUESTION, grade, [], {"M90": MYTH})
    assert follow_up is not None and follow_up.misconception_id == "M90"
    assert QUESTION.key_point("kp1").point in (follow_up.correction or "")
    assert MYTH.correction in (follow_up.correction or "")
    # once corrected, neither the point nor the misconception is corrected again
    again = decide_follow_up(QUESTION, grade, [follow_up.as_record()], {"M90": MYTH})
    assert again is None or again.kind != "correction"


def test_without_wrong_claims_the_missing_central_point_is_probed_first() -> None:
    grade = _grade({"kp1": "missing", "kp2": "missing", "kp3": "partial"}, 1.0)
    follow_up = decide_follow_up(QUESTION, grade, [], {})
    assert follow_up is not None and follow_up.kind == "probe" and follow_up.key_point_id == "kp2"


def test_report_shows_contradicted_points_as_wrong_with_the_correction() -> None:
    row = QuestionReport(
        number=1, question_id=QUESTION.id, topic="T08", prompt=QUESTION.prompt, outcome="answered", score=0.5,
        max_score=5.0, covered=(), partial=(), missed=(QUESTION.key_points[1].point,), corrections=(),
        hint_used=False, follow_ups=1, wrong=(("Dropout removes neurons permanently.", QUESTION.key_points[0].point),),
    )
    text = Report(session_id=1, persona="examiner", questions=(row,)).render_markdown()
    assert "**Wrong:**" in text
    assert 'You said "Dropout removes neurons permanently."' in text
    assert QUESTION.key_points[0].point in text.split("**Wrong:**")[1]
    assert QUESTION.key_points[0].point not in text.split("**Wrong:**")[0]
