"""Trusted reference (parent only): float64 F.cross_entropy and its autograd gradient."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def expected(inputs: dict) -> dict[str, np.ndarray]:
    logits = torch.tensor(inputs["logits"], dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(logits, torch.tensor(inputs["y"], dtype=torch.int64))
    loss.backward()
    assert logits.grad is not None
    return {"loss": np.asarray(loss.item()), "dlogits": logits.grad.numpy()}
