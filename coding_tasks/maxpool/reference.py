"""Trusted reference (parent only): F.max_pool2d in float64 with autograd."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def expected(inputs: dict) -> dict[str, np.ndarray]:
    x = torch.tensor(inputs["x"], dtype=torch.float64, requires_grad=True)
    out = F.max_pool2d(x, (inputs["pool_height"], inputs["pool_width"]), inputs["stride"])
    out.backward(torch.tensor(inputs["dout"], dtype=torch.float64))
    assert x.grad is not None
    return {"out": out.detach().numpy(), "dx": x.grad.numpy()}
