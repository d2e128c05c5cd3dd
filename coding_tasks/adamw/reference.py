"""Trusted reference (parent only): torch.optim.AdamW stepped with hand-set gradients, float64."""

from __future__ import annotations

import numpy as np
import torch

HYPER = ("lr", "beta1", "beta2", "eps", "weight_decay")


def expected(inputs: dict) -> dict[str, np.ndarray]:
    param = torch.nn.Parameter(torch.tensor(inputs["w"], dtype=torch.float64))
    optimiser = torch.optim.AdamW([param], lr=inputs["lr"], betas=(inputs["beta1"], inputs["beta2"]),
                                  eps=inputs["eps"], weight_decay=inputs["weight_decay"])
    weights = []
    for grad in inputs["dws"]:
        param.grad = torch.tensor(grad, dtype=torch.float64)
        optimiser.step()
        weights.append(param.detach().clone().numpy())
    return {"ws": np.stack(weights)}


def simulate(inputs: dict, *, decay: str = "decoupled", bias_correction: bool = True,
             eps_inside: bool = False) -> np.ndarray:
    """AdamW and its usual mis-readings, to recognise them in feedback.

    decay: "decoupled" (AdamW), "l2" (weight_decay * w added to the gradient), "after" (decoupled but
    applied after the Adam update), "no_lr" (w * (1 - weight_decay)), "none".
    """
    w = inputs["w"].copy()
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    lr, b1, b2, eps, wd = (inputs[k] for k in HYPER)
    weights = []
    for t, dw in enumerate(inputs["dws"], start=1):
        grad = dw + wd * w if decay == "l2" else dw
        if decay == "decoupled":
            w = w * (1 - lr * wd)
        elif decay == "no_lr":
            w = w * (1 - wd)
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad**2
        m_hat, v_hat = (m / (1 - b1**t), v / (1 - b2**t)) if bias_correction else (m, v)
        w = w - lr * m_hat / (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)
        if decay == "after":
            w = w * (1 - lr * wd)
        weights.append(w.copy())
    return np.stack(weights)
