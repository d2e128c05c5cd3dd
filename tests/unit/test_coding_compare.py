"""The shared comparison: tolerances, shapes, dtypes, non-finite values, and messages a candidate can act on."""

from __future__ import annotations

import numpy as np

from bot.coding.compare import compare_array, compare_outputs, form_problem, matches, rel_error


def test_equal_within_tolerance_passes() -> None:
    want = np.linspace(-3, 3, 12).reshape(3, 4)
    assert compare_array("dx", want * (1 + 1e-9), want) is None
    assert compare_array("loss", 2.0, np.asarray(2.0 + 1e-12)) is None


def test_value_mismatch_names_the_worst_entry() -> None:
    want = np.zeros((2, 3))
    got = want.copy()
    got[1, 2] = 0.5
    message = compare_array("dW1", got, want)
    assert message is not None
    assert "dW1 is off in 1 of 6 entries" in message and "index (1, 2)" in message and "yours 0.5" in message


def test_shape_dtype_and_type_problems() -> None:
    want = np.ones((3, 2))
    assert form_problem("dw", np.ones((2, 3)), want) == "dw has shape (2, 3), expected (3, 2) (transposed?)"
    assert "dtype float32" in (compare_array("dw", want.astype(np.float32), want) or "")
    assert compare_array("dw", None, want) == "dw should be a numeric array but is None"
    assert compare_array("loss", np.ones(3), np.asarray(1.0)) == "loss should be a single number but has shape (3,)"


def test_nan_where_reference_is_finite_is_named() -> None:
    message = compare_array("loss", float("nan"), np.asarray(1.0))
    assert message == "loss contains NaN where the reference is finite"


def test_compare_outputs_reports_missing_keys_in_reference_order() -> None:
    expected = {"out": np.ones(2), "dx": np.ones(2)}
    assert compare_outputs({"out": np.ones(2)}, expected) == "dx is missing from the results"
    assert compare_outputs({"out": np.ones(2), "dx": np.ones(2)}, expected) is None


def test_rel_error_is_cs231n_style() -> None:
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert abs(rel_error(np.array([1.0]), np.array([3.0])) - 0.5) < 1e-12
    assert matches(np.array([1.0, 2.0]), np.array([1.0, 2.0])) and not matches(np.array([1.0]), np.array([1.1]))
