"""Affine checker: values against F.linear autograd; a hint when dx is not reshaped back."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs

from .reference import expected


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("out, dx, dw and db match")
    dx = as_numeric_array(got.get("dx"))
    x = case.inputs["x"]
    if dx is not None and dx.shape != x.shape and dx.size == x.size:
        return CaseCheck.fail(f"dx has shape {dx.shape}; reshape it back to x's original shape {x.shape}")
    if dx is not None and np.shape(got.get("db")) == (len(x), case.inputs["w"].shape[1]):
        return CaseCheck.fail("db must sum dout over the batch (axis 0): it has the shape of b, "
                              f"{case.inputs['b'].shape}")
    return CaseCheck.fail(problem)
