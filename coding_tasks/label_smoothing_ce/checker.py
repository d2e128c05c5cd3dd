"""Label-smoothing checker: loss and gradient against F.cross_entropy(label_smoothing=...); hints for
smoothing over C-1 classes, the reduction, an unsmoothed gradient and overflow."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs, matches

from .reference import expected, targets, with_target

TARGET_HINTS = {
    "over_others": ("you spread the smoothing mass over the C-1 wrong classes; PyTorch spreads eps over ALL C "
                    "classes: q = (1 - eps) * one_hot + eps / C, so the true class gets 1 - eps + eps/C"),
    "target_keeps_1_minus_eps": ("the true class must get 1 - eps + eps/C (the uniform share eps/C goes to every "
                                 "class, the true one included); yours gives it 1 - eps, so q does not sum to 1"),
}


def _same(got: dict, want: dict, key: str) -> bool:
    value = as_numeric_array(got.get(key))
    return value is not None and value.size == np.asarray(want[key]).size and matches(
        value.reshape(np.shape(want[key])), want[key])


def _diagnose(inputs: dict, got: dict, right: dict) -> str | None:
    values = [as_numeric_array(got.get(k)) for k in ("loss", "dlogits")]
    if any(v is not None and v.dtype.kind == "f" and not np.isfinite(v).all() for v in values):
        return ("your loss or gradient is not finite for logits around ±1000: exp overflows. Use a stable "
                "log-softmax (subtract each row's max before exp)")
    q = targets(inputs)
    n, c = inputs["logits"].shape
    for name, hint in TARGET_HINTS.items():
        variant = with_target(inputs, q[name])
        if not matches(variant["loss"], right["loss"]) and (_same(got, variant, "loss")
                                                            or _same(got, variant, "dlogits")):
            return hint
    if n * c > 1:
        by_nc = with_target(inputs, q["right"], divide_by=n * c)
        if _same(got, by_nc, "loss") or _same(got, by_nc, "dlogits"):
            return "the mean is over the N rows (sum over classes, then divide by N), not over all N*C entries"
    if n > 1:
        summed = with_target(inputs, q["right"], divide_by=1)
        if _same(got, summed, "loss"):
            return "the loss is the SUM over the batch; it must be the MEAN over the N rows (divide by N)"
        if _same(got, right, "loss") and _same(got, summed, "dlogits"):
            return "the loss is right but dlogits is N times too large: the loss is a mean, so divide by N"
    if inputs["smoothing"] > 0 and _same(got, right, "loss"):
        plain = with_target(inputs, q["plain"])
        if _same(got, plain, "dlogits"):
            return ("dlogits ignores the smoothing: the gradient is (softmax - q) / N with the smoothed target q, "
                    "not softmax - one_hot")
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("loss and dlogits match")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
