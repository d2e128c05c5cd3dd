"""LayerNorm checker: values against F.layer_norm; hints for the wrong axis and the unbiased variance."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import compare_outputs, matches

from .reference import expected


def _normalised(x: np.ndarray, axis: int, ddof: int, eps: float) -> np.ndarray:
    mean = x.mean(axis=axis, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axis, ddof=ddof, keepdims=True) + eps)


def _diagnose(inputs: dict, got: dict) -> str | None:
    x, gamma, beta, eps = inputs["x"], inputs["gamma"], inputs["beta"], inputs["eps"]
    if x.shape[0] > 1 and matches(got["out"], gamma * _normalised(x, 0, 0, eps) + beta):
        return "you normalised each column over the batch (that is batch norm): LayerNorm normalises each ROW"
    if x.shape[1] > 1 and matches(got["out"], gamma * _normalised(x, 1, 1, eps) + beta):
        return "use the BIASED variance of each row (divide by D), as F.layer_norm does"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("out and gradients match")
    return CaseCheck.fail(_diagnose(case.inputs, got) or problem)
