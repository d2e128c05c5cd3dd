"""Trusted reference (parent only): PyTorch's activations in float64 with autograd."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def expected(inputs: dict) -> dict[str, np.ndarray]:
    x = torch.tensor(inputs["x"], dtype=torch.float64, requires_grad=True)
    kind = inputs["kind"]
    if kind == "relu":
        out = F.relu(x)
    elif kind == "leaky_relu":
        out = F.leaky_relu(x, negative_slope=inputs["slope"])
    elif kind == "sigmoid":
        out = torch.sigmoid(x)
    else:
        out = torch.tanh(x)
    out.backward(torch.tensor(inputs["dout"], dtype=torch.float64))
    assert x.grad is not None
    return {"out": out.detach().numpy(), "dx": x.grad.numpy()}
