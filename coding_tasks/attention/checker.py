"""Attention checker: output against SDPA; hints for scaling, mask polarity and masked rows."""

from __future__ import annotations

import math

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_outputs, matches

from .reference import expected, variant


def _diagnose(inputs: dict, got: dict, want: dict) -> str | None:
    out = as_numeric_array(got["out"])
    if out is None or out.shape != want["out"].shape:
        return None
    mask = inputs["mask"]
    if not np.isfinite(out).all():
        if mask is not None and (~mask.any(axis=-1)).any():
            return "a query whose keys are all masked must give a row of zeros, not NaN"
        return "out has NaN or inf for large scores: subtract each row's max score before exp"
    if matches(out, variant(inputs, scale=1.0)):
        return f"scale the scores by 1/sqrt(d) = 1/sqrt({inputs['q'].shape[-1]}) = {1 / math.sqrt(inputs['q'].shape[-1]):.4g}"
    if mask is not None and mask.any() and matches(out, np.nan_to_num(variant(inputs, invert_mask=True))):
        return "mask True means the query MAY attend to that key (as in F.scaled_dot_product_attention); you blocked them"
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    want = expected(case.inputs)
    problem = compare_outputs(got, want)
    if problem is None:
        return CaseCheck.ok("out matches")
    return CaseCheck.fail(_diagnose(case.inputs, got, want) or problem)
