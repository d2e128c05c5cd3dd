"""Clipping checker: against torch.nn.utils; a hint when the norm is taken per array, not globally."""

from __future__ import annotations

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import compare_outputs, matches

from .reference import expected, per_array_norm_clip


def _diagnose(inputs: dict, got: dict) -> str | None:
    if inputs["mode"] == "value":
        return (f"clipping by value clamps each element to [-{inputs['limit']:g}, {inputs['limit']:g}] independently "
                f"(np.clip); elements inside the range stay as they are")
    if len(inputs["grads"]) < 2:
        return None
    mistake = per_array_norm_clip(inputs)
    if all(matches(got.get(f"grads[{i}]"), grad) for i, grad in enumerate(mistake)):
        return ("you clipped each array by its own norm: the norm is GLOBAL, over all gradients together, and "
                "every gradient is scaled by the same factor")
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("clipped gradients match")
    return CaseCheck.fail(_diagnose(case.inputs, got) or problem)
