"""Trusted reference (parent only): F.batch_norm in float64 with autograd and running statistics."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def expected(inputs: dict) -> dict[str, np.ndarray]:
    x = torch.tensor(inputs["x"], dtype=torch.float64, requires_grad=True)
    gamma = torch.tensor(inputs["gamma"], dtype=torch.float64, requires_grad=True)
    beta = torch.tensor(inputs["beta"], dtype=torch.float64, requires_grad=True)
    running_mean = torch.tensor(inputs["running_mean"], dtype=torch.float64)
    running_var = torch.tensor(inputs["running_var"], dtype=torch.float64)
    out = F.batch_norm(x, running_mean, running_var, gamma, beta, training=inputs["train"],
                       momentum=inputs["momentum"], eps=inputs["eps"])
    out.backward(torch.tensor(inputs["dout"], dtype=torch.float64))
    assert x.grad is not None and gamma.grad is not None and beta.grad is not None
    return {"out": out.detach().numpy(), "running_mean": running_mean.numpy(), "running_var": running_var.numpy(),
            "dx": x.grad.numpy(), "dgamma": gamma.grad.numpy(), "dbeta": beta.grad.numpy()}
