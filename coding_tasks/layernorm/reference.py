"""Trusted reference (parent only): F.layer_norm in float64 with autograd."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def expected(inputs: dict) -> dict[str, np.ndarray]:
    x = torch.tensor(inputs["x"], dtype=torch.float64, requires_grad=True)
    gamma = torch.tensor(inputs["gamma"], dtype=torch.float64, requires_grad=True)
    beta = torch.tensor(inputs["beta"], dtype=torch.float64, requires_grad=True)
    out = F.layer_norm(x, (x.shape[1],), gamma, beta, eps=inputs["eps"])
    out.backward(torch.tensor(inputs["dout"], dtype=torch.float64))
    assert x.grad is not None and gamma.grad is not None and beta.grad is not None
    return {"out": out.detach().numpy(), "dx": x.grad.numpy(), "dgamma": gamma.grad.numpy(),
            "dbeta": beta.grad.numpy()}
