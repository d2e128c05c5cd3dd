"""Trusted reference (parent only): F.conv2d in float64 with autograd."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def _forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int,
             dout: np.ndarray | None) -> dict[str, np.ndarray]:
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    bt = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    out = F.conv2d(xt, wt, bt, stride=stride, padding=pad)
    result = {"out": out.detach().numpy()}
    if dout is not None:
        out.backward(torch.tensor(dout, dtype=torch.float64))
        result.update(dx=xt.grad.numpy(), dw=wt.grad.numpy(), db=bt.grad.numpy())  # type: ignore[union-attr]
    return result


def expected(inputs: dict) -> dict[str, np.ndarray]:
    return _forward(inputs["x"], inputs["w"], inputs["b"], inputs["stride"], inputs["pad"], inputs["dout"])


def flipped_out(inputs: dict) -> np.ndarray:
    """What a true convolution (kernel flipped) would give: recognises the flipping mistake."""
    w = inputs["w"][:, :, ::-1, ::-1].copy()
    return _forward(inputs["x"], w, inputs["b"], inputs["stride"], inputs["pad"], None)["out"]
