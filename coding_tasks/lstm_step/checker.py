"""LSTM-step checker: against the LSTMCell equations; hints for gate order and the cell-state gradient."""

from __future__ import annotations

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import compare_outputs, matches

from .reference import cs231n_order_next_h, expected


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    if matches(got["next_h"], cs231n_order_next_h(inputs)):
        return ("your gates are in CS231n's order i, f, o, g; this task uses PyTorch's i, f, g, o "
                "(the cell candidate g is the THIRD block of H columns)")
    if matches(got["next_h"], want["next_h"]) and matches(got["next_c"], want["next_c"]) and not matches(
            got["dprev_c"], want["dprev_c"]):
        return ("dprev_c is off: the cell state gets gradient from BOTH dnext_c and dnext_h "
                "(through next_h = o * tanh(next_c)), then dprev_c = dc * f")
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("next_h, next_c and all gradients match")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
