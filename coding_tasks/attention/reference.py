"""Trusted reference (parent only): F.scaled_dot_product_attention in float64."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def expected(inputs: dict) -> dict[str, np.ndarray]:
    q, k, v = (torch.tensor(inputs[key], dtype=torch.float64) for key in ("q", "k", "v"))
    mask = None if inputs["mask"] is None else torch.tensor(inputs["mask"], dtype=torch.bool)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return {"out": out.numpy()}


def variant(inputs: dict, *, scale: float | None = None, invert_mask: bool = False) -> np.ndarray:
    """Common mistakes (no 1/sqrt(d) scaling, inverted mask), computed to recognise them."""
    q, k, v = (torch.tensor(inputs[key], dtype=torch.float64) for key in ("q", "k", "v"))
    mask = inputs["mask"]
    if mask is not None:
        mask = torch.tensor(~mask if invert_mask else mask, dtype=torch.bool)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale).numpy()
