"""Trusted reference (parent only): RMSNorm in float64 torch with autograd.

Written out (x * rsqrt(mean(x^2) + eps) * gamma) rather than calling F.rms_norm, so the reference
does not depend on the torch version; a unit test checks it equals F.rms_norm.
"""

from __future__ import annotations

import numpy as np
import torch


def expected(inputs: dict) -> dict[str, np.ndarray]:
    x = torch.tensor(inputs["x"], dtype=torch.float64, requires_grad=True)
    gamma = torch.tensor(inputs["gamma"], dtype=torch.float64, requires_grad=True)
    out = x * torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + inputs["eps"]) * gamma
    out.backward(torch.tensor(inputs["dout"], dtype=torch.float64))
    assert x.grad is not None and gamma.grad is not None
    return {"out": out.detach().numpy(), "dx": x.grad.numpy(), "dgamma": gamma.grad.numpy()}


def variants(inputs: dict) -> dict[str, dict[str, np.ndarray]]:
    """Typical mistakes, computed in numpy so the checker can recognise them."""
    x, gamma, eps, dout = inputs["x"], inputs["gamma"], inputs["eps"], inputs["dout"]
    d = x.shape[-1]
    ms = np.mean(x**2, axis=-1, keepdims=True)
    rms = np.sqrt(ms + eps)
    g = dout * gamma
    dot = np.sum(g * x, axis=-1, keepdims=True)
    centred = x - x.mean(axis=-1, keepdims=True)
    return {
        "eps_outside": {"out": gamma * x / (np.sqrt(ms) + eps)},
        "no_eps": {"out": gamma * x / np.sqrt(ms)},
        "mean_centred": {"out": gamma * centred / np.sqrt(np.mean(centred**2, axis=-1, keepdims=True) + eps)},
        "rms_constant": {"dx": g / rms},
        "missing_sqrt": {"dx": g / rms - x * dot / (d * (ms + eps))},
        "missing_one_over_d": {"dx": g / rms - x * dot / rms**3},
    }
