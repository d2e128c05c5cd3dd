"""Trusted reference (parent only): torch.optim.SGD stepped with hand-set gradients, float64."""

from __future__ import annotations

import numpy as np
import torch


def expected(inputs: dict) -> dict[str, np.ndarray]:
    param = torch.nn.Parameter(torch.tensor(inputs["w"], dtype=torch.float64))
    optimiser = torch.optim.SGD([param], lr=float(inputs["lrs"][0]), momentum=inputs["momentum"],
                                nesterov=inputs["nesterov"])
    weights = []
    for lr, grad in zip(inputs["lrs"], inputs["dws"], strict=True):
        optimiser.param_groups[0]["lr"] = float(lr)
        param.grad = torch.tensor(grad, dtype=torch.float64)
        optimiser.step()
        weights.append(param.detach().clone().numpy())
    return {"ws": np.stack(weights)}


def simulate(inputs: dict, *, ema: bool = False, lr_in_velocity: bool = False) -> np.ndarray:
    """Common variants (an EMA velocity; CS231n's v = mu*v - lr*dw), to recognise them in feedback."""
    w = inputs["w"].copy()
    v = np.zeros_like(w)
    mu = inputs["momentum"]
    weights = []
    for lr, grad in zip(inputs["lrs"], inputs["dws"], strict=True):
        if lr_in_velocity:
            v = mu * v - lr * grad
            w = w + v
        else:
            v = mu * v + ((1 - mu) * grad if ema else grad)
            w = w - lr * v
        weights.append(w.copy())
    return np.stack(weights)
