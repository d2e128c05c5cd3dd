"""The offline grader with the real MiniLM model (loaded once per test session and shared)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.bank.schema import KeyPoint, Misconception, Question
from bot.grading import MAX_ANSWER_CHARS, Grader, get_grader

pytestmark = pytest.mark.slow

SIGMOID = Question(
    id="T04-901",
    topic="T04",
    difficulty="E",
    prompt="Why is the sigmoid rarely used in the hidden layers of deep networks?",
    key_points=[
        KeyPoint(
            id="kp1", weight=3,
            point="The sigmoid saturates for large positive or negative inputs, where its derivative is close to zero.",
            phrasings=["it flattens out at both ends so the slope is almost zero", "saturation kills the gradient"],
            terms=["saturat|flat", "derivative|gradient|slope"],
            follow_up="What happens to the sigmoid's slope for large inputs?",
        ),
        KeyPoint(
            id="kp2", weight=2,
            point="Its derivative is at most 0.25, so multiplying many of them in backprop makes gradients vanish in deep networks.",
            phrasings=["the gradient shrinks layer after layer", "the max slope is a quarter so gradients vanish with depth"],
            terms=["0.25|quarter|small", "vanish|shrink|tiny"],
            follow_up="What is the largest value of the sigmoid's derivative, and what does that do over many layers?",
        ),
        KeyPoint(
            id="kp3", weight=1,
            point="Its outputs are always positive rather than zero-centred, which makes gradient updates zig-zag.",
            phrasings=["outputs are not centred on zero", "all outputs positive so updates zig zag"],
            terms=["zero-centred|zero centered|zero-centered|positive", "zig|zag|inefficient"],
            follow_up="What is the range of the sigmoid's outputs, and why does that matter for the next layer?",
        ),
    ],
    hint="Look at the slope of the sigmoid far from zero.",
    reference_answer="The sigmoid saturates: far from zero it is flat and its derivative is almost zero. "
    "Its derivative is at most 0.25, so gradients shrink through many layers and vanish. "
    "Its outputs are all positive, not zero-centred, which slows learning.",
    misconceptions=["M97"],
)
DROPOUT = Question(
    id="T08-901",
    topic="T08",
    difficulty="E",
    prompt="What does a dropout layer do during training and at test time?",
    key_points=[
        KeyPoint(
            id="kp1", weight=2,
            point="During training each unit is zeroed at random with probability p.",
            phrasings=["randomly switches off neurons while training", "a random mask drops units with probability p"],
            terms=["random|mask", "zero|drop|switch off|turn off"],
            follow_up="What happens to each unit's output during a training step?",
        ),
        KeyPoint(
            id="kp2", weight=2,
            point="Dropout is not applied at test time: the layer passes its input through unchanged.",
            phrasings=["at test time nothing is dropped", "it is switched off at evaluation", "identity at inference"],
            terms=["test|eval|inference", "identity|unchanged|nothing|off|not"],
            follow_up="What does the layer do at test time?",
        ),
        KeyPoint(
            id="kp3", weight=1,
            point="Survivors are scaled by 1/(1-p) during training so the expected activation is unchanged.",
            phrasings=["inverted dropout rescales the kept units", "divide by the keep probability while training"],
            terms=["scale|rescale|divide|1/(1-p)|inverted", "expect|same|unchanged"],
            follow_up="How does dropout keep the expected activation the same?",
        ),
    ],
    hint="Think of the mask in training and what you want at inference.",
    reference_answer="During training dropout zeroes each unit with probability p and scales the survivors by "
    "1/(1-p). At test time it does nothing: the input passes through unchanged.",
)
MISCONCEPTIONS = {
    "M97": Misconception(
        id="M97",
        title="tanh's gradient is four times the sigmoid's everywhere.",
        triggers=[
            "The gradient of tanh is four times larger than the sigmoid's gradient everywhere.",
            "tanh always passes back four times more gradient than the sigmoid.",
        ],
        correction="tanh'(x) = 4 sigmoid'(2x): the ratio is 4 only at zero.",
    ),
    "M98": Misconception(
        id="M98",
        title="Dropout is also applied at test time.",
        triggers=[
            "At test time you keep dropping random units, just like in training.",
            "Dropout randomly zeroes neurons at inference as well.",
        ],
        correction="Dropout is the identity at evaluation time (with inverted scaling in training).",
    ),
}

EXCELLENT = (
    "The sigmoid saturates: for large positive or negative inputs it is flat, so its derivative is almost zero. "
    "Even at its steepest the derivative is only 0.25, so when backprop multiplies these factors layer after "
    "layer the gradient shrinks and vanishes in deep networks. Its outputs are also always positive, not "
    "zero-centred, so the weight updates zig-zag."
)


@pytest.fixture(scope="module")
def grader() -> Grader:
    return get_grader(MISCONCEPTIONS)


def test_excellent_answer_covers_every_point_and_scores_high(grader: Grader) -> None:
    grade = grader.grade(SIGMOID, EXCELLENT)
    assert grade.validity == "ok"
    assert [kp.status for kp in grade.key_points] == ["covered", "covered", "covered"]
    assert grade.score >= 4.0
    assert grade.misconceptions == ()
    assert grade.key_points[0].evidence is not None and "saturates" in grade.key_points[0].evidence


def test_partial_answer_names_the_missing_point(grader: Grader) -> None:
    grade = grader.grade(SIGMOID, "The sigmoid saturates for big inputs, so its slope there is nearly zero.")
    assert grade.status_of("kp1") == "covered"
    assert grade.status_of("kp3") == "missing"
    assert 1.0 <= grade.score <= 3.5


def test_negated_key_point_is_contradicted(grader: Grader) -> None:
    grade = grader.grade(
        SIGMOID, "The sigmoid does not saturate, its gradient stays large. It is just slower to compute than ReLU."
    )
    assert grade.status_of("kp1") == "contradicted"
    assert grade.score < 2.0


def test_dropout_at_test_time_is_contradicted(grader: Grader) -> None:
    grade = grader.grade(
        DROPOUT,
        "In training each neuron is zeroed at random with probability p. Dropout is also applied at test time, "
        "so predictions are random.",
    )
    assert grade.status_of("kp1") == "covered"
    assert grade.status_of("kp2") == "contradicted"


def test_stated_misconception_is_reported_and_its_point_gets_no_credit(grader: Grader) -> None:
    grade = grader.grade(
        SIGMOID,
        "Sigmoid gradients are small. The gradient of tanh is four times larger than the sigmoid's gradient "
        "everywhere, so tanh is always better.",
    )
    assert grade.misconceptions[0] == "M97"
    assert "contradicted" in {kp.status for kp in grade.key_points}
    assert grade.score < 2.0


def test_one_sentence_misconception_is_caught(grader: Grader) -> None:
    grade = grader.grade(SIGMOID, "tanh always passes back four times more gradient than the sigmoid.")
    assert grade.misconceptions == ("M97",)


def test_misconception_from_another_question_is_also_caught(grader: Grader) -> None:
    grade = grader.grade(DROPOUT, "Dropout randomly zeroes neurons at inference as well, exactly like in training.")
    assert "M98" in grade.misconceptions


def test_correct_answer_near_a_misconception_is_not_flagged(grader: Grader) -> None:
    grade = grader.grade(
        DROPOUT,
        "While training, a random mask zeroes each unit with probability p and the kept units are divided by 1-p. "
        "At test time nothing is dropped and the layer is the identity.",
    )
    assert grade.misconceptions == ()
    assert grade.status_of("kp2") == "covered"


def test_a_misconception_stated_about_it_is_caught(real_bank) -> None:
    """"It" in the second sentence is ReLU: on its own the sentence is far from the myth's triggers."""
    bank_grader = get_grader(real_bank.misconceptions)
    relu = real_bank.question("T04-001")
    myth = bank_grader.grade(relu, "ReLU is max(0, x). It is not differentiable at zero, so backpropagation "
                                   "does not work with it.")
    assert "M20" in myth.misconceptions
    fact = bank_grader.grade(relu, "ReLU is max(0, x). It is not differentiable at zero, but frameworks just use "
                                   "a subgradient there, so training works fine.")
    assert fact.misconceptions == ()


def test_restating_it_does_not_hide_a_contradiction(grader: Grader) -> None:
    """Restated sentences only feed misconception detection: "Sigmoid's derivative ..." must not outrank the
    sentence that denies saturation when the grader looks for a contradicted point."""
    grade = grader.grade(SIGMOID, "Sigmoid does not saturate. Its derivative is at most 0.25 so gradients vanish.")
    assert grade.status_of("kp1") == "contradicted"


def test_keyword_salad_scores_below_a_real_answer(grader: Grader) -> None:
    salad = grader.grade(SIGMOID, "sigmoid saturation derivative 0.25 vanishing gradient zero-centred zig-zag deep")
    real = grader.grade(SIGMOID, EXCELLENT)
    assert salad.score <= real.score / 2
    assert "covered" not in {kp.status for kp in salad.key_points}


@pytest.mark.parametrize("answer", ["", "idk", "pass", "no idea", "I don't know", "🤷🤷", "qwrtzp xkcdvb"])
def test_non_answers_are_not_graded(grader: Grader, answer: str) -> None:
    grade = grader.grade(SIGMOID, answer)
    assert grade.validity != "ok"
    assert grade.score == 0.0
    assert {kp.status for kp in grade.key_points} == {"missing"}


def test_overlong_answers_are_truncated_not_rejected(grader: Grader) -> None:
    grade = grader.grade(SIGMOID, EXCELLENT + " More words." * (MAX_ANSWER_CHARS // 10))
    assert grade.truncated
    assert grade.validity == "ok"
    assert grade.score >= 3.0


def test_combine_lets_a_follow_up_repair_a_contradiction_and_caps_the_score(grader: Grader) -> None:
    first = grader.grade(SIGMOID, "The sigmoid does not saturate. Its derivative is at most 0.25 so gradients vanish.")
    assert first.status_of("kp1") == "contradicted"
    follow_up = grader.grade(SIGMOID, "Sorry: for large inputs the sigmoid is flat, so its derivative is near zero.")
    merged = grader.combine(SIGMOID, [first, follow_up], max_score=4.0)
    assert merged.status_of("kp1") == "covered"
    assert merged.score > first.score
    assert merged.score <= 4.0


def test_reference_rubric_splits_key_points_on_bars(grader: Grader) -> None:
    grade = grader.grade_reference(
        "What does a dropout layer do?",
        "It zeroes random units during training | It does nothing at test time",
        "During training it sets random units to zero.",
    )
    assert [kp.id for kp in grade.key_points] == ["r1", "r2"]
    assert grade.key_points[0].coverage > grade.key_points[1].coverage


def test_grading_from_many_threads_matches_serial_grading(grader: Grader) -> None:
    answers = [EXCELLENT, "The sigmoid saturates.", "Outputs are positive only, not zero-centred.", "idk"] * 3
    serial = [grader.grade(SIGMOID, a) for a in answers]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda a: grader.grade(SIGMOID, a), answers))
    assert threaded == serial


def test_warm_prepares_every_rubric_and_grades_stay_the_same(grader: Grader, test_bank) -> None:
    import threading

    fresh = Grader(test_bank.misconceptions, embedder=grader.embedder)
    stopped = threading.Event()
    stopped.set()
    assert fresh.warm(list(test_bank.questions.values()), stop=stopped) == 0
    assert fresh.warm(list(test_bank.questions.values()), chunk=5) == len(test_bank.questions)
    question = next(iter(test_bank.questions.values()))
    passes = fresh.embedder.passes
    assert fresh.grade(question, question.reference_answer) == grader.grade(question, question.reference_answer)
    assert fresh.embedder.passes - passes <= 2, "after warm-up only the answers are encoded"


def test_multi_sentence_answer_scores_like_its_parts_say(grader: Grader) -> None:
    """A several-sentence answer is graded from its sentences' passes (no whole-answer pass): each
    sentence's point is found, and splitting one sentence in two does not change what is covered."""
    one = grader.grade(SIGMOID, "The sigmoid saturates so its slope is nearly zero, and since its derivative is at most "
                                "0.25 the gradients vanish in deep networks.")
    two = grader.grade(SIGMOID, "The sigmoid saturates so its slope is nearly zero. Since its derivative is at most "
                                "0.25, the gradients vanish in deep networks.")
    assert [kp.status for kp in one.key_points[:2]] == [kp.status for kp in two.key_points[:2]]
    assert all(kp.status in ("covered", "partial") for kp in two.key_points[:2])
    assert abs(one.score - two.score) <= 0.75
