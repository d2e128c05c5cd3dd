"""Max-pool checker: values against F.max_pool2d; hints for ties, overlaps and negative inputs."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs

from .reference import expected


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    out = as_numeric_array(got["out"])
    dx = as_numeric_array(got["dx"])
    x = inputs["x"]
    if out is not None and out.shape == want["out"].shape and ((out == 0) & (want["out"] < 0)).any():
        return "out is 0 where every input of the window is negative: don't start the running maximum at 0"
    if dx is None or dx.shape != x.shape:
        return None
    total_got, total_want = float(dx.sum()), float(want["dx"].sum())
    if not np.isclose(total_got, total_want, rtol=1e-9, atol=1e-9):
        if np.count_nonzero(dx) > np.count_nonzero(want["dx"]):
            return ("dx gives the gradient to every tied maximum; send each window's gradient to the first "
                    "maximum only (row-major), as PyTorch does")
        if inputs["stride"] < max(inputs["pool_height"], inputs["pool_width"]):
            return "overlapping windows must ADD their gradients to a shared maximum (use +=, not =)"
    if not np.array_equal(dx != 0, want["dx"] != 0) and np.isclose(total_got, total_want):
        return "on ties the gradient must go to the FIRST maximum of the window in row-major order"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("out and dx match")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
