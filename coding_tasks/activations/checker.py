"""Activation checker: values against PyTorch, PyTorch's derivative at 0, overflow, and no mutation."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_array, compare_outputs

from .reference import expected


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    x, kind = inputs["x"], inputs["kind"]
    dx = as_numeric_array(got["dx"])
    out = as_numeric_array(got["out"])
    if kind == "sigmoid" and out is not None and not np.isfinite(out).all():
        return ("sigmoid gives NaN for x around ±1000: exp overflows. Use exp(-|x|), e.g. "
                "np.where(x >= 0, 1 / (1 + exp(-x)), exp(x) / (1 + exp(x)))")
    if kind in ("relu", "leaky_relu") and dx is not None and dx.shape == x.shape:
        zero = x == 0
        if compare_array("dx", dx[~zero], want["dx"][~zero]) is None:
            derivative = "0" if kind == "relu" else f"slope ({inputs['slope']:g})"
            return f"dx is wrong only where x == 0: PyTorch takes {kind}'(0) = {derivative}"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem:
        return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
    if got.get("x_mutated"):
        return CaseCheck.fail("activation_forward modified x in place; return a new array and leave x unchanged")
    return CaseCheck.ok("out and dx match")
