"""Trusted reference (parent only): F.linear on the flattened input, float64 autograd."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def expected(inputs: dict) -> dict[str, np.ndarray]:
    x = torch.tensor(inputs["x"], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(inputs["w"], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(inputs["b"], dtype=torch.float64, requires_grad=True)
    out = F.linear(x.flatten(1), w.T, b)
    out.backward(torch.tensor(inputs["dout"], dtype=torch.float64))
    grads = {"dx": x.grad, "dw": w.grad, "db": b.grad}
    return {"out": out.detach().numpy(), **{k: g.numpy() for k, g in grads.items() if g is not None}}
