"""Adam checker: the weights after each step against torch.optim.Adam; hints for bias correction and eps."""

from __future__ import annotations

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import compare_outputs, matches

from .reference import expected, simulate


def _diagnose(inputs: dict, got: dict) -> str | None:
    if matches(got["ws"], simulate(inputs, bias_correction=False)):
        return ("bias-correct the moments: m_hat = m / (1 - beta1**t), v_hat = v / (1 - beta2**t) with t starting "
                "at 1 (the first step should move each weight by about lr)")
    if matches(got["ws"], simulate(inputs, eps_inside=True)):
        return "eps goes OUTSIDE the square root: lr * m_hat / (sqrt(v_hat) + eps)"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("weights match after every step")
    return CaseCheck.fail(_diagnose(case.inputs, got) or f"after the steps: {problem} (ws[t] = w after step t+1)")
