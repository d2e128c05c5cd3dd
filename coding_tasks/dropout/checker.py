"""Dropout checker: independent of how the mask is drawn, but not fooled by masks that are not random.

The mask is read back from `out` (inputs are never zero). Per call: the survivors' scale exactly, and
dx against autograd of x * mask / (1 - p) with that call's mask (each backward reuses its own
forward's cache). Pooled over every training setting and call (about 100,000 mask bits), the mask
must behave like independent Bernoulli(p) draws:

- the drop rate: |z| <= 5 where z = (dropped - sum n p) / sqrt(sum n p (1-p)). At the sizes used
  (about 100,000 elements, p drawn in 0.1-0.9) a bias of +0.015 moves z by about 9-12, so it fails;
  a correct mask fails with probability about 6e-7;
- calls differ: successive calls' masks overlap as independent draws would (not the same mask, not
  a fixed-seed mask, not its complement);
- no dependence on the values or positions: the correlation of the mask with |x|, x, the flat
  position, its parity, the row and the column index (each a z-score, |z| <= 5.5);
- no row or column structure: the spread of per-row and per-column drop counts matches the binomial
  (a dispersion z-score, |z| <= 6: whole rows dropped is far too spread, an exact count per row far
  too even), and the per-call counts are not all exact (p * n every time).

Feedback names the property that failed; the hidden inputs are never printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import compare_array, form_problem, matches

from .cases import inputs_of
from .reference import expected

#: a fast pass for dx, stricter than compare_array's defaults (which still judge anything else)
DX_RTOL, DX_ATOL = 1e-7, 1e-10
RATE_Z = 5.0
COVARIATE_Z = 5.5
DISPERSION_Z = 6.0
#: below this the per-call counts are exact (a chi-square with >= 12 degrees of freedom is under
#: 0.5 with probability < 1e-8)
EXACT_COUNT_CHI2 = 0.5


@dataclass
class _Draws:
    """The masks (True = kept) of every call of one training setting with 0 < p < 1, stacked:
    `kept` has shape (calls, *x.shape)."""

    p: float
    x: np.ndarray
    kept: np.ndarray


# ---------------------------------------------------------------- per call
def _check_eval(x: np.ndarray, out: np.ndarray, dx: np.ndarray | None, dout: np.ndarray) -> str | None:
    if not np.array_equal(out, x):
        zeroed = float(np.mean(out == 0))
        if zeroed > 0:
            return f"eval mode must return x unchanged; yours zeroed {zeroed:.0%} of elements"
        with np.errstate(all="ignore"):
            ratio = float(np.median(out / x))
        return f"eval mode must return x unchanged; yours scaled it by about {ratio:.4g}"
    if dx is not None and not np.array_equal(dx, dout):
        return "in eval mode dropout_backward must return dout unchanged"
    return None


def _check_fraction(p: float, dropped: float, n: int) -> str | None:
    """A loose per-setting check (6 sigma) that names the usual convention mix-up."""
    if p == 0.0 and dropped > 0:
        return f"with p=0 nothing may be dropped; yours dropped {dropped:.1%} of the elements"
    if p == 1.0 and dropped < 1:
        return f"with p=1 every element is dropped, so out must be all zeros; yours kept {1 - dropped:.1%}"
    sigma = math.sqrt(p * (1 - p) / n)
    if abs(dropped - p) <= 6 * sigma + 2e-3:
        return None
    if abs(p - 0.5) > 0.05 and abs(dropped - (1 - p)) <= 6 * sigma + 2e-3:
        return (f"with p={p:g} you dropped {dropped:.0%} of the elements: is p the drop probability? "
                f"(here p is the probability of DROPPING an element, as in PyTorch)")
    return f"with p={p:g} about {p:.0%} of the elements should be dropped; yours dropped {dropped:.1%}"


def _check_scale(p: float, x: np.ndarray, out: np.ndarray, kept: np.ndarray,
                 tolerance: float = 1e-12) -> str | None:  # fmt: skip
    if not kept.any():
        return None
    ratio = out[kept] / x[kept]
    scale = 1.0 / (1.0 - p)
    if float(np.max(np.abs(ratio - scale))) <= tolerance * scale:
        return None
    seen = float(np.median(ratio))
    rel = max(1e-9, 10 * tolerance)
    if math.isclose(seen, 1.0, rel_tol=rel) and p > 0:
        return (f"the kept elements must be scaled by 1/(1-p) = {scale:.4g} (inverted dropout); "
                f"yours were left unscaled")
    if p > 0 and math.isclose(seen, 1.0 / p, rel_tol=rel):
        return f"you scaled the kept elements by 1/p; with p the drop probability the scale is 1/(1-p) = {scale:.4g}"
    if math.isclose(seen, 1.0 - p, rel_tol=rel):
        return f"you multiplied the kept elements by (1-p); inverted dropout divides by (1-p), a scale of {scale:.4g}"
    return f"the kept elements should equal x / (1-p) = x * {scale:.6g}; yours are about x * {seen:.6g}"


def _check_backward(x: np.ndarray, dout: np.ndarray, p: float, kept: np.ndarray, dx: object,
                    call: int) -> str | None:  # fmt: skip
    if call == 0:  # torch autograd of x * mask / (1-p), as the task's reference defines it
        want = expected({"x": x, "dout": dout, "p": p, "train": True}, kept)["dx"]
    else:  # the same derivative, written out (cheaper for the further calls)
        want = dout * kept / (1.0 - p) if p < 1.0 else np.zeros_like(dout)
    if isinstance(dx, np.ndarray) and dx.dtype == np.float64 and dx.shape == want.shape:
        with np.errstate(invalid="ignore"):
            if bool((np.abs(dx - want) <= DX_ATOL + DX_RTOL * np.abs(want)).all()):
                return None  # the common case, without the generic comparison's diagnostics
    problem = compare_array("dx", dx, want)
    if problem is None:
        return None
    dx_arr = np.asarray(dx, dtype=np.float64)
    if dx_arr.shape == dout.shape:
        if matches(dx_arr, dout) and p > 0:
            return "dx must apply the forward mask and scale, dx = dout * mask / (1-p); yours returned dout unchanged"
        if not np.array_equal(dx_arr != 0, kept):
            return ("dropout_backward must reuse the forward pass's mask, the one of the call whose cache it "
                    "gets (keep it in the cache, not in a global); yours zeroes different elements than "
                    f"that forward pass dropped (backward of forward call {call + 1} of several)")
    return problem


def _check_setting(setting: dict, result: object, draws: list[_Draws]) -> str | None:
    x, dout = inputs_of(setting)
    p, train = float(setting["p"]), bool(setting["train"])
    if not isinstance(result, dict) or not isinstance(result.get("outs"), list):
        return "the driver's result has an unexpected form"
    outs, dxs = result["outs"], result.get("dxs") or []
    calls = int(setting.get("calls", 1))
    if len(outs) != calls or len(dxs) != min(2, calls):
        return "the driver's result has an unexpected form"
    for call, got in enumerate(outs):
        # the driver sends calls after the second as float32 (see driver.py)
        problem = form_problem("out", got, x, check_dtype=call < 2)
        if problem:
            return problem
    for dx in dxs:
        problem = form_problem("dx", dx, dout)
        if problem:
            return problem
    stacked = np.stack([np.asarray(o, dtype=np.float64) for o in outs])
    if not np.isfinite(stacked).all():
        hint = " (do not divide by 1-p when p == 1)" if p == 1.0 else ""
        return f"out contains NaN or inf{hint}"
    if not train:
        for call, out in enumerate(stacked):
            problem = _check_eval(x, out, np.asarray(dxs[call]) if call < len(dxs) else None, dout)
            if problem:
                return problem
        return None
    kept = stacked != 0
    dropped = 1.0 - kept.reshape(calls, -1).mean(axis=1)
    for share in dropped:
        problem = _check_fraction(p, float(share), x.size)
        if problem:
            return problem
    exact = min(2, calls)  # float64 calls: the scale exactly; later (float32) calls to float32 precision
    for part, tolerance in ((slice(0, exact), 1e-12), (slice(exact, calls), 1e-6)):
        if _scale_ok(p, x, stacked[part], kept[part], tolerance):
            continue
        for call in range(calls)[part]:
            problem = _check_scale(p, x, stacked[call], kept[call], tolerance)
            if problem:
                return problem
    for call, dx in enumerate(dxs):
        problem = _check_backward(x, dout, p, kept[call], dx, call)
        if problem:
            return problem
    if 0.0 < p < 1.0:
        draws.append(_Draws(p, x, kept))
    return None


def _scale_ok(p: float, x: np.ndarray, stacked: np.ndarray, kept: np.ndarray, tolerance: float) -> bool:
    if p >= 1.0 or not kept.any():
        return True
    # |out - x * scale| <= 1e-12 * scale * |x| on the kept elements (dropped ones are 0 on both sides);
    # |x| >= 0.5 everywhere, so one bound on the whole stack does it without fancy indexing
    scale = 1.0 / (1.0 - p)
    want = x * scale
    error = np.abs(stacked - want * kept)
    return float(error.max()) <= tolerance * scale * 0.5


# ---------------------------------------------------------------- pooled: is the mask random?
def _rate(draws: list[_Draws]) -> str | None:
    n = sum(d.kept.size for d in draws)
    dropped = sum(int(d.kept.size - np.count_nonzero(d.kept)) for d in draws)
    mean = sum(d.kept.size * d.p for d in draws)
    var = sum(d.kept.size * d.p * (1 - d.p) for d in draws)
    z = (dropped - mean) / math.sqrt(var)
    if abs(z) <= RATE_Z:
        return None
    return (f"over {n:,} elements in training mode you dropped {dropped / n:.2%} where p asks for "
            f"{mean / n:.2%} on average (z = {z:+.1f}): each element must be dropped with probability exactly p")


def _same_mask_twice(draws: list[_Draws]) -> str | None:
    for d in draws:
        flat = d.kept.reshape(len(d.kept), -1)
        if any(np.array_equal(flat[i], flat[j]) for i in range(len(flat)) for j in range(i + 1, len(flat))):
            return ("two calls dropped exactly the same elements: draw a fresh mask from rng on every call "
                    "(no fixed seed, no mask remembered between calls)")
    return None


def _calls_differ(draws: list[_Draws]) -> str | None:
    joint = mean = var = 0.0
    for d in draws:
        dropped = ~d.kept.reshape(len(d.kept), -1)
        joint += float(np.count_nonzero(dropped[:-1] & dropped[1:]))
        pairs = (len(dropped) - 1) * dropped.shape[1]
        mean += pairs * d.p**2
        var += pairs * d.p**2 * (1 - d.p**2)
    z = (joint - mean) / math.sqrt(var) if var else 0.0
    if abs(z) <= COVARIATE_Z:
        return None
    return (f"the masks of successive calls are not independent (they drop {'the same' if z > 0 else 'opposite'} "
            f"elements far more often than chance, z = {z:+.1f}): draw a fresh mask from rng on every call")


_COVARIATE_NAMES = (
    "their magnitude |x|", "their value (sign) x", "their position in the array",
    "whether their position is even or odd", "their row (first index)", "their column (last index)",
    "whether their column is even or odd",
)  # fmt: skip


def _covariates(x: np.ndarray) -> np.ndarray:
    """(covariates, n), each centred: what a mask must not depend on (see _COVARIATE_NAMES)."""
    flat = np.arange(x.size, dtype=np.float64)
    rows = np.repeat(np.arange(x.shape[0], dtype=np.float64), x.size // x.shape[0])
    cols = np.tile(np.arange(x.shape[-1], dtype=np.float64), x.size // x.shape[-1])
    values = np.stack([np.abs(x).ravel(), x.ravel(), flat, flat % 2, rows, cols, cols % 2])
    return values - values.mean(axis=1, keepdims=True)


def _independent_of_values_and_positions(draws: list[_Draws]) -> str | None:
    score = np.zeros(len(_COVARIATE_NAMES))
    var = np.zeros(len(_COVARIATE_NAMES))
    for d in draws:
        centred = _covariates(d.x)
        calls = len(d.kept)
        # times each position was dropped; against a centred covariate, sum_calls (dropped - p) . c
        # equals drop_counts . c (the p terms sum to zero)
        drop_counts = (calls - d.kept.reshape(calls, -1).sum(axis=0)).astype(np.float64)
        score += centred @ drop_counts
        var += (centred**2).sum(axis=1) * d.p * (1 - d.p) * calls
    z = np.divide(score, np.sqrt(var), out=np.zeros_like(score), where=var > 0)
    worst = int(np.argmax(np.abs(z)))
    if abs(z[worst]) <= COVARIATE_Z:
        return None
    return (f"which elements you drop depends on {_COVARIATE_NAMES[worst]} (z = {z[worst]:+.1f}): dropout must "
            f"drop each element independently with probability p, whatever its value or position")


def _dispersion(draws: list[_Draws], axis_name: str) -> tuple[float, int]:
    """Sum over calls of sum_groups (d_g - m p)^2 / (m p (1-p)) and its degrees of freedom, where a
    group is a row (`rows`: first axis) or a column (`columns`: last axis) of m elements."""
    stat, dof = 0.0, 0
    for d in draws:
        calls = len(d.kept)
        dropped = ~d.kept
        if axis_name == "rows":
            grouped = dropped.reshape(calls, d.x.shape[0], -1)
        else:
            grouped = dropped.reshape(calls, -1, d.x.shape[-1]).transpose(0, 2, 1)
        m = grouped.shape[2]
        counts = np.count_nonzero(grouped, axis=2)
        stat += float((((counts - m * d.p) ** 2) / (m * d.p * (1 - d.p))).sum())
        dof += counts.size
    return stat, dof


def _no_row_or_column_pattern(draws: list[_Draws]) -> str | None:
    for axis_name in ("rows", "columns"):
        stat, dof = _dispersion(draws, axis_name)
        z = (stat - dof) / math.sqrt(2 * dof)
        if z > DISPERSION_Z:
            return (f"your mask drops whole {axis_name} or blocks together (the drop counts per {axis_name[:-1]} "
                    f"vary far more than chance allows, z = {z:+.1f}): drop each element independently")
        if z < -DISPERSION_Z:
            return (f"every {axis_name[:-1]} loses almost exactly the same number of elements (z = {z:+.1f}): drop "
                    f"each element independently with probability p, so the counts vary")
    exact = [(np.count_nonzero(~k) - k.size * d.p) ** 2 / (k.size * d.p * (1 - d.p)) for d in draws for k in d.kept]
    if len(exact) >= 12 and float(np.sum(exact)) < EXACT_COUNT_CHI2:
        return ("every call drops exactly p * n elements: drop each element independently with probability p "
                "(the count varies from call to call)")
    return None


def _randomness(draws: list[_Draws]) -> str | None:
    if not draws:
        return None
    # Most specific first: a value- or position-dependent mask also repeats between calls.
    return (_same_mask_twice(draws) or _rate(draws) or _no_row_or_column_pattern(draws)
            or _independent_of_values_and_positions(draws) or _calls_differ(draws))  # fmt: skip


def check_case(case: Case, got: object) -> CaseCheck:
    settings = case.inputs["settings"]
    if not isinstance(got, list) or len(got) != len(settings):
        return CaseCheck.fail("the driver's result has an unexpected form")
    draws: list[_Draws] = []
    for setting, result in zip(settings, got, strict=True):
        problem = _check_setting(setting, result, draws)
        if problem:
            return CaseCheck.fail(problem)
    problem = _randomness(draws)
    if problem:
        return CaseCheck.fail(problem)
    if not settings[0]["train"]:
        return CaseCheck.ok("eval mode returns x unchanged")
    return CaseCheck.ok("masks, scaling and dx correct")
