"""RMSNorm checker: values against float64 autograd; hints for eps placement, mean-centring and the
gradient through the rms."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs, matches

from .reference import expected, variants

HINTS = {
    "eps_outside": "eps goes INSIDE the square root: rms = sqrt(mean(x**2) + eps), not sqrt(mean(x**2)) + eps",
    "no_eps": "add eps to the mean square before the square root: rms = sqrt(mean(x**2) + eps)",
    "mean_centred": "RMSNorm does not subtract the mean (that is LayerNorm): out = gamma * x / rms",
    "rms_constant": ("dx treats rms as a constant; rms depends on x, so dx also needs the term "
                     "- x * sum(dout * gamma * x) / (D * rms**3)"),
    "missing_sqrt": ("the second term of dx is divided by D * rms**2; it should be D * rms**3 "
                     "(d rms / d x = x / (D * rms): one more factor of rms)"),
    "missing_one_over_d": "the second term of dx lacks the 1/D from the mean in mean(x**2)",
}


def _diagnose(inputs: dict, got: dict, right: dict) -> str | None:
    with np.errstate(all="ignore"):
        wrong_ones = variants(inputs)
    for name, values in wrong_ones.items():
        key, want = next(iter(values.items()))
        value = as_numeric_array(got.get(key))
        # a variant explains the output only where the output is wrong and the variant differs from the truth
        if value is None or matches(value, right[key]) or matches(want, right[key]):
            continue
        if matches(value, want):
            return HINTS[name]
    out = as_numeric_array(got.get("out"))
    if out is not None and out.shape == right["out"].shape:
        # eps outside the root shifts `out` by about eps: within tolerance, yet it shows in dx. Name it when
        # `out` sits far closer to that variant than to the truth.
        off = float(np.max(np.abs(out - right["out"]), initial=0.0))
        near = float(np.max(np.abs(out - wrong_ones["eps_outside"]["out"]), initial=0.0))
        if off > 0 and near < 0.01 * off:
            return HINTS["eps_outside"]
    dgamma = as_numeric_array(got.get("dgamma"))
    if dgamma is not None and dgamma.shape == inputs["x"].shape[1:] and inputs["x"].ndim == 3:
        return "dgamma must sum over every axis but the last (B and T for a (B, T, D) input), giving shape (D,)"
    if inputs["x"].ndim == 3:
        out = as_numeric_array(got.get("out"))
        if out is not None and out.shape == inputs["x"].shape and not matches(out, right["out"]):
            return "normalise over the LAST axis (D) only, also for a (B, T, D) input"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("out, dx and dgamma match")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
