"""AdamW checker: the weights after each step against torch.optim.AdamW; hints for coupled (L2) decay,
the decay's order and scale, bias correction and eps."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs, matches

from .reference import expected, simulate

#: (variant keyword arguments, hint) in the order they are tried
VARIANTS: tuple[tuple[dict, str], ...] = (
    ({"decay": "l2"}, "you added weight_decay * w to the gradient (L2 regularisation, coupled to Adam's moments); "
                      "AdamW decouples it: w = w * (1 - lr * weight_decay), and only dw feeds m and v"),
    ({"decay": "none"}, "the weights were never decayed: AdamW first shrinks them, w = w * (1 - lr * weight_decay)"),
    ({"decay": "no_lr"}, "the decay is scaled by lr: w = w * (1 - lr * weight_decay), not w * (1 - weight_decay)"),
    ({"decay": "after"}, "decay the weights BEFORE the Adam update (as torch.optim.AdamW does), "
                         "not after it: the Adam step is applied to the already-decayed w"),
    ({"bias_correction": False}, "bias-correct the moments: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t) "
                                 "with t starting at 1"),
    ({"eps_inside": True}, "eps goes OUTSIDE the square root: lr * m_hat / (sqrt(v_hat) + eps)"),
)


def _first_wrong_step(got: np.ndarray, want: np.ndarray) -> int:
    for t in range(len(want)):
        if not matches(got[t], want[t]):
            return t + 1
    return len(want)


def _diagnose(inputs: dict, got: dict, want: np.ndarray) -> str | None:
    ws = as_numeric_array(got.get("ws"))
    if ws is None or ws.shape != want.shape:
        return None
    for kwargs, hint in VARIANTS:
        variant = simulate(inputs, **kwargs)
        if not matches(variant, want) and matches(ws, variant):
            return hint
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("weights match after every step")
    hint = _diagnose(case.inputs, got, want["ws"])
    if hint:
        return CaseCheck.fail(hint)
    ws = as_numeric_array(got.get("ws"))
    if ws is not None and ws.shape == want["ws"].shape:
        step = _first_wrong_step(ws, want["ws"])
        return CaseCheck.fail(f"the weights first go wrong after step {step}: {problem} (ws[t] = w after step t+1)")
    return CaseCheck.fail(f"after the steps: {problem} (ws[t] = w after step t+1)")
