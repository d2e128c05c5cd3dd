"""Generic comparison of a submission's outputs with reference values (runs in the trusted parent).

Tolerances follow docs/notes.md#checker-tolerances: float64 inputs, float64 references,
an `allclose`-style test with a small rtol/atol, and a CS231n-style `rel_error` shown to the
candidate so the number means something to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9


def rel_error(got: np.ndarray, want: np.ndarray) -> float:
    """CS231n's relative error: max |a-b| / max(1e-8, |a|+|b|)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        err = np.abs(got - want) / np.maximum(1e-8, np.abs(got) + np.abs(want))
    return float(np.nanmax(err)) if np.isfinite(err).any() else float("inf")


def as_numeric_array(value: object) -> np.ndarray | None:
    """The value as a numeric numpy array, or None when it is not numeric (None, str, dict, ...)."""
    if isinstance(value, bool):
        return np.asarray(value)
    if isinstance(value, int | float | np.ndarray | np.generic | list | tuple):
        try:
            array = np.asarray(value)
        except (ValueError, TypeError):
            return None
        if array.dtype.kind in "biuf":
            return array
    return None


def describe_type(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


def _fmt(number: float) -> str:
    return f"{number:.6g}"


def form_problem(name: str, got: object, like: object, *, check_dtype: bool = True) -> str | None:
    """None when `got` is numeric with the shape (and float dtype) of `like`, else what is wrong."""
    like_arr = np.asarray(like)
    got_arr = as_numeric_array(got)
    if got_arr is None:
        return f"{name} should be a numeric array but is {describe_type(got)}"
    if like_arr.ndim == 0:
        if got_arr.size != 1:
            return f"{name} should be a single number but has shape {got_arr.shape}"
        return None
    if got_arr.shape != like_arr.shape:
        hint = " (transposed?)" if got_arr.shape == like_arr.shape[::-1] and like_arr.ndim == 2 else ""
        return f"{name} has shape {got_arr.shape}, expected {like_arr.shape}{hint}"
    if check_dtype and like_arr.dtype.kind == "f" and got_arr.dtype != like_arr.dtype:
        return (f"{name} has dtype {got_arr.dtype}, expected {like_arr.dtype} "
                f"(the inputs are {like_arr.dtype}: keep that precision)")
    return None


def compare_array(
    name: str,
    got: object,
    want: object,
    *,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    check_dtype: bool = True,
) -> str | None:
    """None when `got` matches `want`, else one sentence saying how it differs.

    A scalar reference accepts any size-1 answer (a Python float, a 0-d or (1,) array). `atol` is
    scaled by the reference's magnitude so large-valued outputs are not held to a tiny absolute bound.
    """
    want_arr = np.asarray(want)
    problem = form_problem(name, got, want_arr, check_dtype=check_dtype)
    if problem:
        return problem
    got_arr = as_numeric_array(got)
    assert got_arr is not None
    scalar = want_arr.ndim == 0
    if scalar:
        got_arr = got_arr.reshape(())
    if want_arr.dtype.kind == "b" or got_arr.dtype.kind == "b":
        if not np.array_equal(got_arr, want_arr):
            return f"{name} differs from the expected values"
        return None
    got_f = got_arr.astype(np.float64)
    want_f = want_arr.astype(np.float64)
    bad_nonfinite = ~np.isfinite(got_f) & np.isfinite(want_f)
    if bad_nonfinite.any():
        kind = "NaN" if np.isnan(got_f[bad_nonfinite]).any() else "inf"
        count = int(bad_nonfinite.sum())
        where = "" if scalar else f" ({count} of {got_f.size} entries)"
        return f"{name} contains {kind}{where} where the reference is finite"
    scale = float(np.max(np.abs(want_f[np.isfinite(want_f)]), initial=0.0))
    tol = atol * max(1.0, scale) + rtol * np.abs(want_f)
    with np.errstate(invalid="ignore"):
        diff = np.abs(got_f - want_f)
        same_special = (got_f == want_f) | (np.isnan(got_f) & np.isnan(want_f))
        wrong = ~(same_special | (diff <= tol))
    if not wrong.any():
        return None
    err = rel_error(got_f, want_f)
    if scalar:
        return f"{name} is {_fmt(float(got_f))}, expected {_fmt(float(want_f))} (rel_error {err:.1e})"
    masked = np.where(wrong, np.nan_to_num(diff, nan=np.inf, posinf=np.inf), -1.0)
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(masked)), want_f.shape))
    return (f"{name} is off in {int(wrong.sum())} of {wrong.size} entries; worst at index {index}: "
            f"yours {_fmt(got_f[index])}, expected {_fmt(want_f[index])} (rel_error {err:.1e})")


def compare_outputs(
    got: object,
    expected: Mapping[str, Any],
    *,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
) -> str | None:
    """Compare a driver's dict of named outputs with the reference, in the reference's key order."""
    if not isinstance(got, Mapping):
        return f"the driver returned {describe_type(got)} instead of named outputs"
    for name, want in expected.items():
        if name not in got:
            return f"{name} is missing from the results"
        problem = compare_array(name, got[name], want, rtol=rtol, atol=atol)
        if problem:
            return problem
    return None


def matches(got: object, want: object, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> bool:
    """True when `got` equals `want` within tolerance (used to recognise typical mistakes)."""
    return compare_array("value", got, want, rtol=rtol, atol=atol, check_dtype=False) is None
