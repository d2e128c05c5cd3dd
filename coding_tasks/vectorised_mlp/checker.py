"""Vectorise-it checker: scores, gradients and updated parameters against float64 autograd; on the
timed batch, the submission's best times against a vectorised numpy step timed in the same sandbox run.

The whole step (forward + backward + update), and mlp_forward or mlp_backward alone, may take at most
RATIO_LIMIT / PART_RATIO_LIMIT times the reference's; the feedback names the function that lost the most
time. Measured through the sandbox on the project's 2-core machine (timed batch N=4096, D=8, H=16, C=10,
best of 15+ interleaved runs), idle: numpy step 1.1-1.2x, torch 1.3-1.5x, einsum 2.8-3.1x; per-sample
loops 14-57x in the looping function, the leanest (two one-operation comprehensions) 14-15x. Under a load
average of 10-14: good ones up to 2.6x, loops 22-230x. The limits sit between; the driver re-measures (up
to three rounds, keeping the best) while one is exceeded.
"""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs, matches

from .cases import PART_RATIO_LIMIT, RATIO_LIMIT
from .reference import PARAMS, expected, grads_variant

PARTS = ("mlp_forward", "mlp_backward", "sgd_update")


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    if not matches(got["scores"], want["scores"]):
        return None
    grads = {f"d{k}": got[f"d{k}"] for k in PARAMS}
    if all(matches(grads[k], v) for k, v in grads_variant(inputs, divide_by_n=True).items()) and len(inputs["X"]) > 1:
        return ("your gradients are N times too small: dscores is already the gradient of the loss (any 1/N is "
                "inside it), so do not divide by N again")
    no_mask = grads_variant(inputs, relu_mask=False)
    if matches(grads["dW1"], no_mask["dW1"]) and not matches(no_mask["dW1"], want["dW1"]):
        return "dW1 and db1 must go through ReLU's derivative: multiply the gradient by (X @ W1 + b1 > 0)"
    gradients_right = all(matches(grads[f"d{k}"], want[f"d{k}"]) for k in PARAMS)
    if gradients_right:
        ascended = {k: inputs[k] + inputs["lr"] * want[f"d{k}"] for k in PARAMS}
        if all(matches(got[f"new_{k}"], ascended[k]) for k in PARAMS):
            return "sgd_update must step AGAINST the gradient: p_new = p - lr * grad"
    return None


def _format_ms(seconds: float) -> str:
    return f"{seconds * 1000:.2g} ms" if seconds < 0.01 else f"{seconds * 1000:.0f} ms"


def _check_timing(inputs: dict, got: dict) -> str | None:
    timing = as_numeric_array(got.get("timing"))
    reps = as_numeric_array(got.get("reps"))
    if timing is None or timing.shape != (2, 3) or not np.isfinite(timing).all() or (timing <= 0).any():
        return "the timing of your functions could not be read back"
    ref, sub = timing
    n = len(inputs["X"])
    runs = f"best of {int(reps)} runs" if reps is not None and int(reps) > 1 else "one run"
    total_ratio = float(sub.sum() / ref.sum())
    ratios = sub / ref
    if total_ratio <= RATIO_LIMIT and (ratios[:2] <= PART_RATIO_LIMIT).all():
        return None
    worst = int(np.argmax(sub - ref))
    part_ratio = float(sub[worst] / ref[worst])
    typical = ("a Python loop over the parameters' entries" if worst == 2
               else f"a Python loop over the {n} samples")
    return (f"your {PARTS[worst]} took {part_ratio:.0f}x the time of a vectorised one on a batch of {n} samples "
            f"({_format_ms(sub[worst])} vs {_format_ms(ref[worst])}, {runs} in the same sandbox), and your whole "
            f"step {total_ratio:.0f}x (the limit is {PART_RATIO_LIMIT:.0f}x for one function, "
            f"{RATIO_LIMIT:.0f}x for the step). This is typical of {typical}: write it as "
            f"matrix operations over the whole batch (e.g. X @ W1 for all samples at once)")


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is not None:
        return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
    if not case.inputs["timed"]:
        return CaseCheck.ok("scores, gradients and updated parameters match")
    slow = _check_timing(case.inputs, got)
    if slow:
        return CaseCheck.fail(slow)
    ref, sub = np.asarray(got["timing"])
    return CaseCheck.ok(f"correct, and {sub.sum() / ref.sum():.1f}x the vectorised reference's time")
