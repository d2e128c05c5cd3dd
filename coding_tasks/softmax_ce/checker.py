"""Softmax cross-entropy checker: values against F.cross_entropy, hints for overflow and reductions."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs, matches

from .reference import expected


def _nonfinite(value: object) -> bool:
    array = as_numeric_array(value)
    return array is not None and array.dtype.kind == "f" and not np.isfinite(array).all()


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    logits = inputs["logits"]
    finite = logits[np.isfinite(logits)]
    biggest = float(np.abs(finite).max())
    if _nonfinite(got["loss"]) or _nonfinite(got["dlogits"]):
        what = "loss" if _nonfinite(got["loss"]) else "dlogits"
        if np.isinf(logits).any():
            return (f"{what} is not finite when a class is masked with a -inf logit: 0 * -inf is NaN. "
                    f"Pick the target's log-probability by indexing instead of multiplying by a one-hot")
        if biggest > 500:
            kind = "inf" if np.isinf(as_numeric_array(got[what])).any() else "nan"  # type: ignore[arg-type]
            return f"{what} is {kind} for logits around {biggest:.0f}: subtract the row max before exp"
    n = len(inputs["y"])
    if n > 1 and matches(got["loss"], want["loss"] * n):
        return "loss is the SUM over the rows; use the MEAN (divide by N), like F.cross_entropy"
    if n > 1 and matches(got["loss"], want["loss"]) and matches(got["dlogits"], want["dlogits"] * n):
        return "the loss is right but dlogits is N times too large: the loss is a mean, so divide by N"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("loss and dlogits match")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
