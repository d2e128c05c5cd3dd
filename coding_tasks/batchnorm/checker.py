"""Batchnorm checker: values against F.batch_norm; hints for the usual convention mismatches."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import compare_outputs, matches

from .reference import expected


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    x, m = inputs["x"], inputs["momentum"]
    rm, rv = inputs["running_mean"], inputs["running_var"]
    if not inputs["train"]:
        if not (matches(got["running_mean"], rm) and matches(got["running_var"], rv)):
            return "eval mode must leave state['running_mean'] and state['running_var'] unchanged"
        batch = (x - x.mean(0)) / np.sqrt(x.var(0) + inputs["eps"]) * inputs["gamma"] + inputs["beta"]
        if matches(got["out"], batch):
            return "eval mode must normalise with the running statistics, not the batch's mean and variance"
        return None
    unbiased = (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + inputs["eps"]) * inputs["gamma"] + inputs["beta"]
    if matches(got["out"], unbiased):
        return "in training, normalise with the BIASED batch variance (divide by N); only running_var is unbiased"
    if matches(got["running_mean"], rm) and matches(got["running_var"], rv):
        return "training mode must update state['running_mean'] and state['running_var']"
    if matches(got["running_mean"], m * rm + (1 - m) * x.mean(0)):
        return (f"running_mean is off: momentum is the weight of the NEW batch statistic (PyTorch): "
                f"running = (1 - momentum) * running + momentum * batch, here {1 - m:g} * running + {m:g} * batch")
    if matches(got["running_var"], (1 - m) * rv + m * x.var(0)):
        return "running_var must use the UNBIASED batch variance (divide by N - 1), as PyTorch does"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("out, running statistics and gradients match")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
