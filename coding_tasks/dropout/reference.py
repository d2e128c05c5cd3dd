"""Trusted reference (parent only): autograd of x * mask / (1 - p) for the mask the candidate drew."""

from __future__ import annotations

import numpy as np
import torch


def expected(inputs: dict, mask: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """`out` and `dx` in float64. `mask` (bool, True = kept) is recovered from the candidate's output;
    in eval mode, or when no mask is given, every element is kept."""
    x = torch.tensor(inputs["x"], dtype=torch.float64, requires_grad=True)
    dout = torch.tensor(inputs["dout"], dtype=torch.float64)
    p = float(inputs["p"])
    if not inputs["train"] or mask is None:
        out = x * 1.0
    elif p == 1.0:
        out = x * 0.0  # every element dropped; the 1/(1-p) factor never applies
    else:
        out = x * torch.tensor(mask, dtype=torch.float64) / (1.0 - p)
    out.backward(dout)
    assert x.grad is not None
    return {"out": out.detach().numpy(), "dx": x.grad.numpy()}
