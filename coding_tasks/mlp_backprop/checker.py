"""MLP checker: loss and gradients against float64 autograd, with hints for the usual slips."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs, matches

from .reference import PARAMS, expected, scores

GRADS = tuple(f"d{k}" for k in PARAMS)


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    loss = as_numeric_array(got["loss"])
    biggest = float(np.abs(scores(inputs)).max())
    values = [as_numeric_array(got[k]) for k in ("loss", *GRADS)]
    nonfinite = any(v is not None and v.dtype.kind == "f" and not np.isfinite(v).all() for v in values)
    if nonfinite and biggest > 500:
        what = "loss" if loss is not None and not np.isfinite(loss).all() else "your gradients"
        bad = "nan" if loss is not None and np.isnan(loss).any() else "inf or nan"
        return (f"{what} is {bad} for scores around {biggest:.0f}: exp overflows. Subtract each row's max "
                f"score before exp (softmax is unchanged by that shift)")
    n = len(inputs["y"])
    if n > 1 and loss is not None and loss.size == 1 and matches(loss.reshape(()), want["loss"] * n):
        return "loss is the SUM over the batch; it must be the MEAN over the N examples (divide by N)"
    if n > 1 and all(matches(got[k], want[k] * n) for k in GRADS):
        return "the loss is right but every gradient is N times too large: the loss is a mean, divide by N"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("loss and all four gradients match")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
