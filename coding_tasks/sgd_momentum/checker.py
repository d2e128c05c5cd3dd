"""Momentum checker: the weights after each step against torch.optim.SGD; hints for other conventions."""

from __future__ import annotations

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import compare_outputs, matches

from .reference import expected, simulate


def _diagnose(inputs: dict, got: dict) -> str | None:
    if inputs["nesterov"]:
        if matches(got["ws"], simulate(inputs)):
            return "with nesterov=True the step is w -= lr * (dw + momentum * v), after updating v"
        return None
    if matches(got["ws"], simulate(inputs, ema=True)):
        return "PyTorch's momentum accumulates v = momentum * v + dw, without a (1 - momentum) factor"
    if matches(got["ws"], simulate(inputs, lr_in_velocity=True)):
        return ("you folded lr into the velocity (v = momentum * v - lr * dw): PyTorch keeps v = momentum * v + dw "
                "and steps w -= lr * v, which differs once the learning rate changes")
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("weights match after every step")
    return CaseCheck.fail(_diagnose(case.inputs, got) or f"after the steps: {problem} (ws[t] = w after step t+1)")
