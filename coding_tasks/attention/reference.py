"""Trusted reference (parent only): masked softmax attention written out in float64 torch.

It follows `F.scaled_dot_product_attention(q, k, v, attn_mask=mask)` but is computed by hand, so a
query whose keys are all masked gives a row of zeros on every torch version (SDPA itself returns
NaN there before torch 2.5, and the project allows torch 2.4).
"""

from __future__ import annotations

import math

import numpy as np
import torch


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None,
           scale: float | None = None) -> torch.Tensor:
    """softmax(q k^T * scale) v over the keys `mask` allows (True = may attend); all-masked rows give 0."""
    scores = q @ k.transpose(-2, -1) * (1.0 / math.sqrt(q.shape[-1]) if scale is None else scale)
    if mask is None:
        return torch.softmax(scores, dim=-1) @ v
    allowed = mask.expand_as(scores)
    weights = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1)
    weights = torch.where(allowed.any(dim=-1, keepdim=True), weights, torch.zeros_like(weights))
    return weights @ v


def _tensors(inputs: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    q, k, v = (torch.tensor(inputs[key], dtype=torch.float64) for key in ("q", "k", "v"))
    return q, k, v


def expected(inputs: dict) -> dict[str, np.ndarray]:
    mask = None if inputs["mask"] is None else torch.tensor(inputs["mask"], dtype=torch.bool)
    return {"out": attend(*_tensors(inputs), mask).numpy()}


def variant(inputs: dict, *, scale: float | None = None, invert_mask: bool = False) -> np.ndarray:
    """Common mistakes (no 1/sqrt(d) scaling, inverted mask), computed to recognise them."""
    mask = inputs["mask"]
    if mask is not None:
        mask = torch.tensor(~mask if invert_mask else mask, dtype=torch.bool)
    return attend(*_tensors(inputs), mask, scale).numpy()
