"""Trusted reference (parent only): float64 torch autograd of the two-layer network, then SGD."""

from __future__ import annotations

import numpy as np
import torch

PARAMS = ("W1", "b1", "W2", "b2")


def expected(inputs: dict) -> dict[str, np.ndarray]:
    params = {k: torch.tensor(inputs[k], dtype=torch.float64, requires_grad=True) for k in PARAMS}
    X = torch.tensor(inputs["X"], dtype=torch.float64)
    scores = torch.relu(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    scores.backward(torch.tensor(inputs["dscores"], dtype=torch.float64))
    result = {"scores": scores.detach().numpy()}
    for k in PARAMS:
        grad = params[k].grad
        assert grad is not None
        result[f"d{k}"] = grad.numpy()
        result[f"new_{k}"] = (params[k].detach() - inputs["lr"] * grad).numpy()
    return result


def grads_variant(inputs: dict, *, relu_mask: bool = True, divide_by_n: bool = False) -> dict[str, np.ndarray]:
    """Gradients with a typical mistake (no ReLU mask, an extra 1/N), in numpy."""
    X, W1, b1, W2 = inputs["X"], inputs["W1"], inputs["b1"], inputs["W2"]
    dscores = inputs["dscores"] / (len(X) if divide_by_n else 1)
    pre = X @ W1 + b1
    h = np.maximum(pre, 0.0)
    dh = dscores @ W2.T
    dpre = dh * (pre > 0) if relu_mask else dh
    return {"dW1": X.T @ dpre, "db1": dpre.sum(axis=0), "dW2": h.T @ dscores, "db2": dscores.sum(axis=0)}
