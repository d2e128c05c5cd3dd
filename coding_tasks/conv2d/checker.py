"""Conv checker: values against F.conv2d; hints for kernel flipping and the output-size formula."""

from __future__ import annotations

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs, matches

from .reference import expected, flipped_out


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    out = as_numeric_array(got["out"])
    if out is None:
        return None
    if out.shape != want["out"].shape:
        return (f"out has shape {out.shape}, expected {want['out'].shape}: "
                f"H_out = 1 + (H + 2*pad - HH) // stride (floor), and the same for W")
    if matches(out, flipped_out(inputs)):
        return "out matches a convolution with a FLIPPED kernel: F.conv2d is a cross-correlation, don't flip w"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("out, dx, dw and db match")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)


