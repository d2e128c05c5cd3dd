"""Trusted reference (parent only): torch.nn.utils.clip_grad_norm_ / clip_grad_value_ in float64."""

from __future__ import annotations

import numpy as np
import torch


def _params(grads: list[np.ndarray]) -> list[torch.nn.Parameter]:
    params = []
    for grad in grads:
        param = torch.nn.Parameter(torch.zeros(grad.shape, dtype=torch.float64))
        param.grad = torch.tensor(grad, dtype=torch.float64)
        params.append(param)
    return params


def expected(inputs: dict) -> dict[str, np.ndarray]:
    params = _params(inputs["grads"])
    result: dict[str, np.ndarray] = {}
    if inputs["mode"] == "norm":
        total = torch.nn.utils.clip_grad_norm_(params, inputs["limit"])
        result["total_norm"] = np.asarray(float(total))
    else:
        torch.nn.utils.clip_grad_value_(params, inputs["limit"])
    for i, param in enumerate(params):
        assert param.grad is not None
        result[f"grads[{i}]"] = param.grad.numpy()
    return result


def per_array_norm_clip(inputs: dict) -> list[np.ndarray]:
    """The common mistake: clipping each array by its own norm."""
    out = []
    for grad in inputs["grads"]:
        norm = float(np.linalg.norm(grad))
        out.append(grad * (inputs["limit"] / (norm + 1e-6)) if norm > inputs["limit"] else grad)
    return out
