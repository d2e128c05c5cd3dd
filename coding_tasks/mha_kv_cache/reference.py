"""Trusted reference (parent only): multi-head self-attention written out in float64 torch.

A unit test checks it equals torch.nn.MultiheadAttention (bias=False) with the same weights.
"""

from __future__ import annotations

import math

import numpy as np
import torch

WEIGHTS = ("Wq", "Wk", "Wv", "Wo")


def _heads(t: torch.Tensor, n_heads: int) -> torch.Tensor:
    b, length, d = t.shape
    return t.reshape(b, length, n_heads, d // n_heads).transpose(1, 2)


def attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, allowed: torch.Tensor | None,
           scale: float) -> torch.Tensor:
    scores = q @ k.transpose(-2, -1) * scale
    if allowed is not None:
        scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def forward(x: np.ndarray, weights: dict, n_heads: int, causal: bool) -> dict[str, np.ndarray]:
    """out, and the keys and values split into heads (the cache after the whole sequence)."""
    xt = torch.tensor(x, dtype=torch.float64)
    wq, wk, wv, wo = (torch.tensor(weights[w], dtype=torch.float64) for w in WEIGHTS)
    b, length, d = xt.shape
    q, k, v = (_heads(xt @ w, n_heads) for w in (wq, wk, wv))
    allowed = torch.ones(length, length, dtype=torch.bool).tril() if causal else None
    o = attend(q, k, v, allowed, 1.0 / math.sqrt(d // n_heads))
    out = o.transpose(1, 2).reshape(b, length, d) @ wo
    return {"out": out.numpy(), "k": k.numpy(), "v": v.numpy()}


def step_with_cache(inputs: dict) -> dict[str, np.ndarray]:
    """One decode step of `x_new` on the case's own prompt cache (`prompt_k`, `prompt_v`)."""
    weights = {w: torch.tensor(inputs[w], dtype=torch.float64) for w in WEIGHTS}
    x_new = torch.tensor(inputs["x_new"], dtype=torch.float64)[:, None, :]
    n_heads = inputs["n_heads"]
    b, _, d = x_new.shape
    q, k_new, v_new = (_heads(x_new @ weights[w], n_heads) for w in ("Wq", "Wk", "Wv"))
    k = torch.cat([torch.tensor(inputs["prompt_k"], dtype=torch.float64), k_new], dim=2)
    v = torch.cat([torch.tensor(inputs["prompt_v"], dtype=torch.float64), v_new], dim=2)
    o = attend(q, k, v, None, 1.0 / math.sqrt(d // n_heads))
    out = o.transpose(1, 2).reshape(b, d) @ weights["Wo"]
    return {"out": out.numpy(), "k": k.numpy(), "v": v.numpy()}


def expected(inputs: dict) -> dict[str, np.ndarray]:
    weights = {w: inputs[w] for w in WEIGHTS}
    full = forward(inputs["x"], weights, inputs["n_heads"], inputs["causal"])
    causal = full if inputs["causal"] else forward(inputs["x"], weights, inputs["n_heads"], True)
    given = step_with_cache(inputs)
    return {"out": full["out"], "decode_out": causal["out"], "decode_k": causal["k"], "decode_v": causal["v"],
            "given_out": given["out"], "given_k": given["k"], "given_v": given["v"]}


def variant(inputs: dict, *, scale: str = "head", split: str = "contiguous", mask: str = "causal",
            project: bool = True) -> np.ndarray:
    """mha_forward with a typical mistake, in numpy: scale "head" | "model" | "none"; split "contiguous" |
    "interleaved"; mask "causal" | "strict" (diagonal excluded) | "one_ahead" | "none"; project=False
    skips Wo."""
    x = inputs["x"]
    b, length, d = x.shape
    n_heads = inputs["n_heads"]
    dh = d // n_heads

    def heads(t: np.ndarray) -> np.ndarray:
        if split == "interleaved":
            return t.reshape(b, length, dh, n_heads).transpose(0, 3, 1, 2)
        return t.reshape(b, length, n_heads, dh).transpose(0, 2, 1, 3)

    q, k, v = (heads(x @ inputs[w]) for w in ("Wq", "Wk", "Wv"))
    factor = {"head": 1 / math.sqrt(dh), "model": 1 / math.sqrt(d), "none": 1.0}[scale]
    scores = q @ k.transpose(0, 1, 3, 2) * factor
    if not inputs["causal"]:
        mask = "none"
    offset = {"causal": 0, "strict": -1, "one_ahead": 1}.get(mask)
    if offset is not None:
        scores = np.where(np.tri(length, k=offset, dtype=bool), scores, -np.inf)
    with np.errstate(invalid="ignore"):
        weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
        o = (weights / weights.sum(axis=-1, keepdims=True)) @ v
    if split == "interleaved":
        concat = o.transpose(0, 2, 3, 1).reshape(b, length, d)
    else:
        concat = o.transpose(0, 2, 1, 3).reshape(b, length, d)
    return concat @ inputs["Wo"] if project else concat
