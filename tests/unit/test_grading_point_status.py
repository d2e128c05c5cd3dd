"""The status model: its shipped weights, its training data and fit, and how the grader uses it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from bot.grading.point_status import FEATURE_NAMES, WEIGHTS_PATH, StatusModel
from scripts.train_point_status import fit, fit_logistic, statuses_of

DATA = Path(__file__).resolve().parents[1] / "data"
STATUSES = {"covered", "partial", "missing", "contradicted"}


def test_the_shipped_model_loads_offline_and_matches_its_features() -> None:
    model = StatusModel.load(WEIGHTS_PATH)
    assert model.coef.shape == (len(FEATURE_NAMES), 2)
    assert np.all(model.scale > 0)
    assert WEIGHTS_PATH.stat().st_size < 8_000


def test_a_model_saved_with_other_features_is_refused(tmp_path: Path) -> None:
    n = len(FEATURE_NAMES) - 1
    path = tmp_path / "old.npz"
    np.savez(path, features=np.array(FEATURE_NAMES[:n]), mean=np.zeros(n), scale=np.ones(n),
             coef=np.zeros((n, 2)), intercept=np.zeros(2))
    with pytest.raises(ValueError, match="other features"):
        StatusModel.load(path)


def test_the_training_answers_never_share_a_question_with_the_blind_set(real_bank) -> None:  # type: ignore[no-untyped-def]
    with (DATA / "grader_train.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (DATA / "grader_blind.csv").open(newline="", encoding="utf-8") as handle:
        blind = {r["question_id"] for r in csv.DictReader(handle)}
    assert len(rows) >= 1800
    assert not {r["question_id"] for r in rows} & blind
    for row in rows:
        labels = statuses_of(row)
        question = real_bank.question(row["question_id"])
        assert list(labels) == [kp.id for kp in question.key_points], row["answer_id"]
        assert set(labels.values()) <= STATUSES, row["answer_id"]
        assert 0.0 <= float(row["score"]) <= 5.0


def test_newton_logistic_fit_finds_the_direction_and_is_deterministic() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=(600, 3))
    y = (z[:, 0] - 0.5 * z[:, 2] + 0.3 * rng.normal(size=600) > 0).astype(float)
    w, b = fit_logistic(z, y, l2=1e-3)
    assert w[0] > 2 and w[2] < -1 and abs(w[1]) < 0.5 * abs(w[2])
    again, b_again = fit_logistic(z, y, l2=1e-3)
    assert np.array_equal(w, again) and b == b_again


def test_soft_targets_put_a_partial_row_between_missing_and_covered() -> None:
    x = np.repeat(np.array([[0.0], [1.0], [2.0]]), 50, axis=0)
    y = np.zeros((150, 2))
    y[:50, 0], y[50:100, 0], y[100:, 0] = 0.0, 0.25, 1.0
    p = fit(x, y).probabilities(np.array([[0.0], [1.0], [2.0]]))[:, 0]
    assert p[0] < p[1] < p[2]
    assert 0.1 < p[1] < 0.5


@pytest.mark.slow
def test_bank_grades_carry_one_probability_pair_per_point_and_reference_grades_none(real_bank, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.grading import get_grader
    from bot.grading import grader as grader_module

    grader = get_grader(real_bank.misconceptions)
    question = real_bank.question("T08-001")
    signals = grader.signals(question, "Dropout zeroes random units during training and is off at test time.")
    assert len(signals.status) == len(question.key_points)
    assert all(0.0 <= p <= 1.0 for pair in signals.status for p in pair)
    assert signals.features.shape == (len(question.key_points), len(FEATURE_NAMES))

    def refuse() -> None:
        raise AssertionError("the status model ran for a reference rubric")

    monkeypatch.setattr(grader_module, "shipped_status_model", refuse)
    reference = grader.grade_reference("What is dropout?", "Dropout zeroes random units in training.",
                                       "It drops units.")
    assert reference.validity == "ok"
