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

RATE_Z = 5.0
COVARIATE_Z = 5.5
DISPERSION_Z = 6.0
#: below this the per-call counts are exact (a chi-square with >= 12 degrees of freedom is under
#: 0.5 with probability < 1e-8)
EXACT_COUNT_CHI2 = 0.5


@dataclass
class _Draws:
    """The masks (True = kept) of every call of one training setting with 0 < p < 1."""

    p: float
    x: np.ndarray
    kept: list[np.ndarray]


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


def _check_backward(x: np.ndarray, dout: np.ndarray, p: float, kept: np.ndarray, dx: object,
                    call: int) -> str | None:  # fmt: skip
    want = expected({"x": x, "dout": dout, "p": p, "train": True}, kept)["dx"]
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
    kept_all: list[np.ndarray] = []
    for call, got in enumerate(outs):
        dx = dxs[call] if call < len(dxs) else None
        problem = form_problem("out", got, x) or (form_problem("dx", dx, dout) if dx is not None else None)
        if problem:
            return problem
        out = np.asarray(got, dtype=np.float64)
        if not np.isfinite(out).all():
            hint = " (do not divide by 1-p when p == 1)" if p == 1.0 else ""
            return f"out contains NaN or inf{hint}"
        if not train:
            problem = _check_eval(x, out, None if dx is None else np.asarray(dx), dout)
            if problem:
                return problem
            continue
        kept = out != 0
        problem = _check_fraction(p, 1.0 - float(kept.mean()), kept.size) or _check_scale(p, x, out, kept)
        if problem is None and dx is not None:
            problem = _check_backward(x, dout, p, kept, dx, call)
        if problem:
            return problem
        kept_all.append(kept)
    if train and 0.0 < p < 1.0:
        draws.append(_Draws(p, x, kept_all))
    return None


# ---------------------------------------------------------------- pooled: is the mask random?
def _rate(draws: list[_Draws]) -> str | None:
    n = sum(d.x.size * len(d.kept) for d in draws)
    dropped = sum(int((~k).sum()) for d in draws for k in d.kept)
    mean = sum(d.x.size * len(d.kept) * d.p for d in draws)
    var = sum(d.x.size * len(d.kept) * d.p * (1 - d.p) for d in draws)
    z = (dropped - mean) / math.sqrt(var)
    if abs(z) <= RATE_Z:
        return None
    return (f"over {n:,} elements in training mode you dropped {dropped / n:.2%} where p asks for "
            f"{mean / n:.2%} on average (z = {z:+.1f}): each element must be dropped with probability exactly p")


def _same_mask_twice(draws: list[_Draws]) -> str | None:
    for d in draws:
        for first, second in zip(d.kept, d.kept[1:], strict=False):
            if np.array_equal(first, second):
                return ("two calls dropped exactly the same elements: draw a fresh mask from rng on every call "
                        "(no fixed seed, no mask remembered between calls)")
    return None


def _calls_differ(draws: list[_Draws]) -> str | None:
    joint = mean = var = 0.0
    for d in draws:
        for first, second in zip(d.kept, d.kept[1:], strict=False):
            both = int(((~first) & (~second)).sum())
            joint += both
            mean += first.size * d.p**2
            var += first.size * d.p**2 * (1 - d.p**2)
    z = (joint - mean) / math.sqrt(var) if var else 0.0
    if abs(z) <= COVARIATE_Z:
        return None
    return (f"the masks of successive calls are not independent (they drop {'the same' if z > 0 else 'opposite'} "
            f"elements far more often than chance, z = {z:+.1f}): draw a fresh mask from rng on every call")


def _covariates(x: np.ndarray) -> dict[str, np.ndarray]:
    flat = np.arange(x.size, dtype=np.float64).reshape(x.shape)
    rows = np.indices(x.shape)[0].astype(np.float64)
    cols = np.indices(x.shape)[-1].astype(np.float64)
    return {
        "their magnitude |x|": np.abs(x), "their value (sign) x": x,
        "their position in the array": flat, "whether their position is even or odd": flat % 2,
        "their row (first index)": rows, "their column (last index)": cols,
        "whether their column is even or odd": cols % 2,
    }  # fmt: skip


def _independent_of_values_and_positions(draws: list[_Draws]) -> str | None:
    totals: dict[str, list[float]] = {}
    for d in draws:
        for name, values in _covariates(d.x).items():
            centred = values - values.mean()
            weight = float((centred**2).sum()) * d.p * (1 - d.p)
            score = sum(float(((~k).astype(np.float64) - d.p).ravel() @ centred.ravel()) for k in d.kept)
            entry = totals.setdefault(name, [0.0, 0.0])
            entry[0] += score
            entry[1] += weight * len(d.kept)
    for name, (score, var) in totals.items():
        z = score / math.sqrt(var) if var > 0 else 0.0
        if abs(z) > COVARIATE_Z:
            return (f"which elements you drop depends on {name} (z = {z:+.1f}): dropout must drop each element "
                    f"independently with probability p, whatever its value or position")
    return None


def _dispersion(draws: list[_Draws], axis_name: str) -> tuple[float, int]:
    """Sum over calls of sum_groups (d_g - m p)^2 / (m p (1-p)) and its degrees of freedom, where a
    group is a row (`rows`: first axis) or a column (`columns`: last axis) of m elements."""
    stat, dof = 0.0, 0
    for d in draws:
        for k in d.kept:
            dropped = (~k).reshape(k.shape[0], -1) if axis_name == "rows" else (~k).reshape(-1, k.shape[-1]).T
            m = dropped.shape[1]
            counts = dropped.sum(axis=1)
            stat += float((((counts - m * d.p) ** 2) / (m * d.p * (1 - d.p))).sum())
            dof += dropped.shape[0]
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
    exact = [((~k).sum() - k.size * d.p) ** 2 / (k.size * d.p * (1 - d.p)) for d in draws for k in d.kept]
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
