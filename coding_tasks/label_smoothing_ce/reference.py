"""Trusted reference (parent only): F.cross_entropy(label_smoothing=...) in float64 with autograd."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def expected(inputs: dict) -> dict[str, np.ndarray]:
    logits = torch.tensor(inputs["logits"], dtype=torch.float64, requires_grad=True)
    y = torch.tensor(inputs["y"], dtype=torch.int64)
    loss = F.cross_entropy(logits, y, label_smoothing=float(inputs["smoothing"]))
    loss.backward()
    assert logits.grad is not None
    return {"loss": np.asarray(loss.item()), "dlogits": logits.grad.numpy()}


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def with_target(inputs: dict, q: np.ndarray, *, divide_by: float | None = None) -> dict[str, np.ndarray]:
    """Loss and gradient of the cross-entropy against an arbitrary target q (to recognise mistakes)."""
    logp = _log_softmax(inputs["logits"])
    n = logp.shape[0] if divide_by is None else divide_by
    return {"loss": np.asarray(-(q * logp).sum() / n),
            "dlogits": (np.exp(logp) * q.sum(axis=1, keepdims=True) - q) / n}


def targets(inputs: dict) -> dict[str, np.ndarray]:
    """The right target and the usual wrong ones."""
    logits, y, eps = inputs["logits"], inputs["y"], float(inputs["smoothing"])
    n, c = logits.shape
    onehot = np.zeros((n, c))
    onehot[np.arange(n), y] = 1.0
    return {
        "right": (1 - eps) * onehot + eps / c,
        "over_others": (1 - eps) * onehot + eps / (c - 1) * (1 - onehot),
        "target_keeps_1_minus_eps": (1 - eps) * onehot + eps / c * (1 - onehot),
        "plain": onehot,
    }
