"""Trusted reference (parent only): torch.optim.Adam stepped with hand-set gradients, float64."""

from __future__ import annotations

import numpy as np
import torch


def expected(inputs: dict) -> dict[str, np.ndarray]:
    param = torch.nn.Parameter(torch.tensor(inputs["w"], dtype=torch.float64))
    optimiser = torch.optim.Adam([param], lr=inputs["lr"], betas=(inputs["beta1"], inputs["beta2"]),
                                 eps=inputs["eps"])
    weights = []
    for grad in inputs["dws"]:
        param.grad = torch.tensor(grad, dtype=torch.float64)
        optimiser.step()
        weights.append(param.detach().clone().numpy())
    return {"ws": np.stack(weights)}


def simulate(inputs: dict, *, bias_correction: bool = True, eps_inside: bool = False) -> np.ndarray:
    """Common variants, to recognise them in feedback."""
    w = inputs["w"].copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    b1, b2, lr, eps = inputs["beta1"], inputs["beta2"], inputs["lr"], inputs["eps"]
    weights = []
    for t, grad in enumerate(inputs["dws"], start=1):
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        m_hat, v_hat = (m / (1 - b1**t), v / (1 - b2**t)) if bias_correction else (m, v)
        w = w - lr * m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)
        weights.append(w.copy())
    return np.stack(weights)
