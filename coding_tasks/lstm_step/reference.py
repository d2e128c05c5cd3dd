"""Trusted reference (parent only): the LSTMCell equations as a float64 torch graph, with autograd.

The equations are nn.LSTMCell's (gate order i, f, g, o) with weights stored (in, out) and one bias;
tests/unit/test_coding_references.py checks this graph against nn.LSTMCell itself.
"""

from __future__ import annotations

import numpy as np
import torch

INPUTS = ("x", "prev_h", "prev_c", "Wx", "Wh", "b")


def forward(t: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    a = t["x"] @ t["Wx"] + t["prev_h"] @ t["Wh"] + t["b"]
    i, f, g, o = a.chunk(4, dim=1)
    next_c = torch.sigmoid(f) * t["prev_c"] + torch.sigmoid(i) * torch.tanh(g)
    next_h = torch.sigmoid(o) * torch.tanh(next_c)
    return next_h, next_c


def expected(inputs: dict) -> dict[str, np.ndarray]:
    t = {k: torch.tensor(inputs[k], dtype=torch.float64, requires_grad=True) for k in INPUTS}
    next_h, next_c = forward(t)
    torch.autograd.backward([next_h, next_c], [torch.tensor(inputs["dnext_h"], dtype=torch.float64),
                                              torch.tensor(inputs["dnext_c"], dtype=torch.float64)])
    result = {"next_h": next_h.detach().numpy(), "next_c": next_c.detach().numpy()}
    result.update({f"d{k}": t[k].grad.numpy() for k in INPUTS})  # type: ignore[union-attr]
    return result


def cs231n_order_next_h(inputs: dict) -> np.ndarray:
    """next_h if the gates are read in CS231n's order i, f, o, g (blocks 3 and 4 swapped)."""
    h4 = inputs["b"].shape[0]
    h = h4 // 4
    order = np.r_[0:2 * h, 3 * h:4 * h, 2 * h:3 * h]
    swapped = dict(inputs, Wx=inputs["Wx"][:, order], Wh=inputs["Wh"][:, order], b=inputs["b"][order])
    t = {k: torch.tensor(swapped[k], dtype=torch.float64) for k in INPUTS}
    return forward(t)[0].numpy()
