"""The grader's model-free parts: validity gate, negation, keyword salad, rubric parsing, metrics."""

from __future__ import annotations

import math

import pytest

from bot.grading.coverage import term_recall
from bot.grading.metrics import auc_weak, held_out_rmse, pearson, spearman
from bot.grading.negation import is_negated, polarity_conflict
from bot.grading.rubric import split_reference
from bot.grading.salad import is_keyword_salad
from bot.grading.text import clauses, resolve_leading_pronoun, sentences, stem, words
from bot.grading.validity import check_validity


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("idk", "non_answer"),
        ("pass", "non_answer"),
        ("no idea", "non_answer"),
        ("I don't know", "non_answer"),
        ("Honestly, I have no idea, sorry.", "non_answer"),
        ("asdfgh qwrtzp", "gibberish"),
        ("😀😀🤔", "gibberish"),
        ("ReLU", "ok"),
        ("it", "too_short"),
        ("the one", "too_short"),
        ("Sigmoid saturates, so gradients vanish.", "ok"),
        ("n(n-1)/2", "ok"),
        ("I don't know the exact constant, but the slope is a small hyper-parameter.", "ok"),
    ],
)
def test_validity_gate_separates_attempts_from_non_answers(answer: str, expected: str) -> None:
    assert check_validity(answer) == expected


def test_sentences_and_clauses_split_where_a_point_may_hide() -> None:
    assert sentences("Sigmoid saturates. So gradients vanish; training stalls!") == [
        "Sigmoid saturates.", "So gradients vanish;", "training stalls!",
    ]
    assert clauses("Sigmoid saturates for large inputs, so its gradient vanishes") == [
        "Sigmoid saturates for large inputs", "so its gradient vanishes",
    ]


def test_stemming_matches_word_families() -> None:
    assert stem("saturates") == stem("saturating") == stem("saturation")
    assert stem("normalization") == stem("normalisation")


@pytest.mark.parametrize(
    ("candidate", "point", "conflict"),
    [
        ("sigmoid does not saturate", "Sigmoid saturates for large inputs", True),
        ("dropout is also applied at test time", "Dropout is not applied at test time", True),
        ("dropout is switched off at test time", "Dropout is not applied at test time", False),
        ("stacking linear layers does not help", "stacking linear layers gives a linear layer", False),
        ("so the early layers receive almost no gradient", "each layer scales the gradient down", False),
        ("not only does it saturate, it is also slow", "Sigmoid saturates", False),
    ],
)
def test_polarity_conflict_needs_a_negation_about_the_points_words(candidate: str, point: str, conflict: bool) -> None:
    assert polarity_conflict(candidate, point) is conflict


def test_double_negation_is_not_a_negation() -> None:
    assert is_negated("it does not saturate")
    assert not is_negated("it is not true that it cannot saturate")


def test_keyword_salad_is_told_apart_from_sentences() -> None:
    assert is_keyword_salad("sigmoid saturation vanishing gradient chain rule derivative deep layers")
    assert is_keyword_salad("velocity, beta, exponential average, ravine, oscillation, acceleration, heavy ball")
    assert not is_keyword_salad("C++ programs begin execution at main.")
    assert not is_keyword_salad("The sigmoid saturates for large inputs, so its derivative is close to zero.")
    assert not is_keyword_salad("Clip them.")


def test_term_recall_uses_alternatives_prefixes_and_demotes_question_words() -> None:
    terms = ((("vanish",), ("shrink",)), (("saturat",),), (("sigmoid",),))
    answer = words("The gradients shrink because the units saturate")
    stems = [stem(w) for w in answer]
    assert term_recall(terms, answer, stems, frozenset()) == pytest.approx(2 / 3)
    # "sigmoid" repeats the question, so missing it costs a quarter of a term only.
    assert term_recall(terms, answer, stems, frozenset({"sigmoid"})) == pytest.approx(2 / 2.25)


def test_reference_answers_split_on_bars_or_sentences() -> None:
    assert split_reference("A stack. | B happens, then C.") == ["A stack.", "B happens, then C."]
    assert split_reference("To simulate the product. It finds errors early.") == [
        "To simulate the product.", "It finds errors early.",
    ]


def test_metrics_on_known_values() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [1, 4, 9, 16]) == pytest.approx(1.0)
    assert auc_weak([0.0, 1.0, 4.0, 5.0], [1.0, 2.0, 4.0, 5.0]) == pytest.approx(1.0)
    assert auc_weak([5.0, 4.0, 1.0, 0.0], [1.0, 2.0, 4.0, 5.0]) == pytest.approx(0.0)
    assert math.isnan(auc_weak([1.0, 2.0], [4.0, 5.0]))
    # Perfectly linear predictions are mapped back exactly by the held-out fit.
    assert held_out_rmse([0, 1, 2, 3], [1, 2, 3, 4], ["a", "b", "c", "d"]) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("sentence", "previous", "resolved"),
    [
        ("It is not differentiable at zero.", "ReLU is max(0, x).", "ReLU is not differentiable at zero."),
        ("It's a regulariser.", "Dropout can be seen as an ensemble.", "Dropout is a regulariser."),
        ("Its output is a probability.", "Sigmoid is a squashing function.", "Sigmoid's output is a probability."),
        ("They are averaged.", "Batch statistics are used in training.", "Batch statistics are averaged."),
        # no short subject ending at an auxiliary: the sentence is left alone
        ("It helps.", "The model is big.", "It helps."),
        ("It helps.", "Training a very deep residual network from scratch is slow.", "It helps."),
        ("This is slow.", "We compute the full gradient every step.", "This is slow."),
        ("Iterations are updates.", "An epoch is a pass.", "Iterations are updates."),
    ],
)
def test_leading_pronoun_takes_the_previous_subject(sentence: str, previous: str, resolved: str) -> None:
    assert resolve_leading_pronoun(sentence, previous) == resolved
