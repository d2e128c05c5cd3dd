"""Trusted reference (parent only): float64 torch autograd with F.cross_entropy."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

PARAMS = ("W1", "b1", "W2", "b2")


def expected(inputs: dict) -> dict[str, np.ndarray]:
    params = {k: torch.tensor(inputs[k], dtype=torch.float64, requires_grad=True) for k in PARAMS}
    X = torch.tensor(inputs["X"], dtype=torch.float64)
    y = torch.tensor(inputs["y"], dtype=torch.int64)
    h = F.relu(X @ params["W1"] + params["b1"])
    scores = h @ params["W2"] + params["b2"]
    loss = F.cross_entropy(scores, y)
    loss.backward()
    result = {"loss": np.asarray(loss.item())}
    result.update({f"d{k}": params[k].grad.numpy() for k in PARAMS})  # type: ignore[union-attr]
    return result


def scores(inputs: dict) -> np.ndarray:
    h = np.maximum(inputs["X"] @ inputs["W1"] + inputs["b1"], 0.0)
    return h @ inputs["W2"] + inputs["b2"]
