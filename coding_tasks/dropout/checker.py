"""Dropout checker: independent of how the mask is drawn.

The mask is read back from `out` (inputs are never zero), the survivors' scale is checked exactly,
the dropped fraction statistically against p (several p), and dx against autograd of
x * mask / (1 - p) with that same mask.
"""

from __future__ import annotations

import math

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import compare_array, form_problem, matches

from .reference import expected


def _check_eval(x: np.ndarray, out: np.ndarray, dx: np.ndarray, dout: np.ndarray) -> CaseCheck:
    if not np.array_equal(out, x):
        zeroed = float(np.mean(out == 0))
        if zeroed > 0:
            return CaseCheck.fail(f"eval mode must return x unchanged; yours zeroed {zeroed:.0%} of elements")
        ratio = float(np.median(out / x))
        return CaseCheck.fail(f"eval mode must return x unchanged; yours scaled it by about {ratio:.4g}")
    if not np.array_equal(dx, dout):
        return CaseCheck.fail("in eval mode dropout_backward must return dout unchanged")
    return CaseCheck.ok("eval mode returns x unchanged")


def _check_fraction(p: float, dropped: float, n: int) -> str | None:
    if p == 0.0 and dropped > 0:
        return f"with p=0 nothing may be dropped; yours dropped {dropped:.1%} of the elements"
    if p == 1.0 and dropped < 1:
        return f"with p=1 every element is dropped, so out must be all zeros; yours kept {1 - dropped:.1%}"
    sigma = math.sqrt(p * (1 - p) / n)
    if abs(dropped - p) <= 6 * sigma + 2e-3:
        return None
    if p != 0.5 and abs(dropped - (1 - p)) <= 6 * sigma + 2e-3:
        return (f"with p={p:g} you dropped {dropped:.0%} of the elements: is p the drop probability? "
                f"(here p is the probability of DROPPING an element, as in PyTorch)")
    return f"with p={p:g} about {p:.0%} of the elements should be dropped; yours dropped {dropped:.1%}"


def _check_scale(p: float, x: np.ndarray, out: np.ndarray, kept: np.ndarray) -> str | None:
    if not kept.any():
        return None
    ratio = out[kept] / x[kept]
    scale = 1.0 / (1.0 - p)
    if np.allclose(ratio, scale, rtol=1e-12, atol=0):
        return None
    seen = float(np.median(ratio))
    if math.isclose(seen, 1.0, rel_tol=1e-9) and p > 0:
        return (f"the kept elements must be scaled by 1/(1-p) = {scale:.4g} (inverted dropout); "
                f"yours were left unscaled")
    if p > 0 and math.isclose(seen, 1.0 / p, rel_tol=1e-9):
        return f"you scaled the kept elements by 1/p; with p the drop probability the scale is 1/(1-p) = {scale:.4g}"
    if math.isclose(seen, 1.0 - p, rel_tol=1e-9):
        return f"you multiplied the kept elements by (1-p); inverted dropout divides by (1-p), a scale of {scale:.4g}"
    return f"the kept elements should equal x / (1-p) = x * {scale:.6g}; yours are about x * {seen:.6g}"


def _check_backward(inputs: dict, kept: np.ndarray, dx: object) -> str | None:
    want = expected(inputs, kept)["dx"]
    problem = compare_array("dx", dx, want)
    if problem is None:
        return None
    dout = inputs["dout"]
    dx_arr = np.asarray(dx, dtype=np.float64)
    if dx_arr.shape == dout.shape:
        if matches(dx_arr, dout) and inputs["p"] > 0:
            return "dx must apply the forward mask and scale, dx = dout * mask / (1-p); yours returned dout unchanged"
        if not np.array_equal(dx_arr != 0, kept):
            return ("dropout_backward must reuse the forward pass's mask (keep it in the cache); "
                    "yours zeroes different elements than the forward pass dropped")
    return problem


def check_case(case: Case, got: dict) -> CaseCheck:
    inputs = case.inputs
    x, p, dout = inputs["x"], float(inputs["p"]), inputs["dout"]
    out, dx = got["out"], got["dx"]
    problem = form_problem("out", out, x) or form_problem("dx", dx, dout)
    if problem:
        return CaseCheck.fail(problem)
    out = np.asarray(out)
    dx = np.asarray(dx)
    if not np.isfinite(out).all():
        hint = " (do not divide by 1-p when p == 1)" if p == 1.0 else ""
        return CaseCheck.fail(f"out contains NaN or inf{hint}")
    if not inputs["train"]:
        return _check_eval(x, out, dx, dout)
    kept = out != 0
    dropped = 1.0 - float(kept.mean())
    problem = _check_fraction(p, dropped, x.size) or _check_scale(p, x, out, kept)
    problem = problem or _check_backward(inputs, kept, dx)
    if problem:
        return CaseCheck.fail(problem)
    return CaseCheck.ok(f"dropped {dropped:.1%} with p={p:g}; scaling and dx correct")
