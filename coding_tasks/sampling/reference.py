"""Trusted reference (parent only): the distribution a correct sampler draws from, in float64 torch,
and numpy versions of the usual mistakes so the checker can name them."""

from __future__ import annotations

import numpy as np
import torch


def expected(inputs: dict) -> dict[str, np.ndarray]:
    """What the checker compares the draws with: the probability of each token."""
    return {"probs": expected_probs(inputs)}


def expected_probs(inputs: dict) -> np.ndarray:
    """Temperature, then top-k, then top-p on the renormalised top-k distribution (crossing token kept)."""
    logits = torch.tensor(inputs["logits"], dtype=torch.float64)
    temperature, top_k, top_p = inputs["temperature"], inputs["top_k"], inputs["top_p"]
    if temperature == 0:
        probs = torch.zeros_like(logits)
        probs[int(torch.argmax(logits))] = 1.0
        return probs.numpy()
    scaled = logits / temperature
    if top_k is not None:
        kth = torch.topk(scaled, int(top_k)).values[-1]
        scaled = scaled.masked_fill(scaled < kth, float("-inf"))
    probs = torch.softmax(scaled, dim=-1)
    if top_p is not None and top_p < 1:
        sorted_probs, order = torch.sort(probs, descending=True)
        before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs  # mass strictly ahead of each token
        keep_sorted = before < top_p
        keep_sorted[0] = True
        keep = torch.zeros_like(probs, dtype=torch.bool)
        keep[order[keep_sorted]] = True
        probs = torch.where(keep, probs, torch.zeros_like(probs))
        probs = probs / probs.sum()
    return probs.numpy()


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - np.max(x))
    return z / z.sum()


def _top_k(x: np.ndarray, k: int | None) -> np.ndarray:
    if k is None:
        return x
    k = max(0, min(int(k), x.size))
    kth = np.sort(x)[::-1][k - 1] if k > 0 else np.inf
    return np.where(x >= kth, x, -np.inf)


def _top_p(probs: np.ndarray, p: float | None, *, keep_crossing: bool = True) -> np.ndarray:
    if p is None or p >= 1:
        return probs
    order = np.argsort(-probs, kind="stable")
    cum = np.cumsum(probs[order])
    keep_sorted = (cum - probs[order] < p) if keep_crossing else (cum < p)
    keep_sorted[0] = True
    keep = np.zeros(probs.size, dtype=bool)
    keep[order[keep_sorted]] = True
    kept = np.where(keep, probs, 0.0)
    return kept / kept.sum()


def distribution(inputs: dict, *, temperature_mode: str = "divide", top_k_shift: int = 0,
                 top_p_first: bool = False, keep_crossing: bool = True) -> np.ndarray:
    """The sampler's distribution in numpy, with optional mistakes (for cases.py and the checker).

    temperature_mode: "divide" (right), "multiply", "ignore", or "after_truncation" (top-k/top-p choose
    the tokens from the untempered logits, the temperature only reshapes the kept ones); top_k_shift: keep
    k + shift tokens;
    top_p_first: top-p on the full distribution, then top-k; keep_crossing=False drops the token that
    takes the cumulative sum past top_p.
    """
    logits = np.asarray(inputs["logits"], dtype=np.float64)
    temperature, top_k, top_p = inputs["temperature"], inputs["top_k"], inputs["top_p"]
    if temperature == 0:
        return np.eye(logits.size)[int(np.argmax(logits))]
    k = None if top_k is None else int(top_k) + top_k_shift
    if temperature_mode == "after_truncation":
        kept = distribution({**inputs, "temperature": 1.0}, top_k_shift=top_k_shift, top_p_first=top_p_first,
                            keep_crossing=keep_crossing) > 0
        return _softmax(np.where(kept, logits / temperature, -np.inf))
    scaled = {"divide": logits / temperature, "multiply": logits * temperature, "ignore": logits}[temperature_mode]
    if top_p_first:
        probs = _top_p(_softmax(scaled), top_p, keep_crossing=keep_crossing)
        with np.errstate(divide="ignore"):
            return _softmax(_top_k(np.log(probs), k))
    return _top_p(_softmax(_top_k(scaled, k)), top_p, keep_crossing=keep_crossing)


def crossing_token(inputs: dict) -> int | None:
    """The token whose probability takes the running sum past top_p (None when top-p is off)."""
    if inputs["top_p"] is None or inputs["top_p"] >= 1 or inputs["temperature"] == 0:
        return None
    before_p = distribution({**inputs, "top_p": None})
    order = np.argsort(-before_p, kind="stable")
    cum = np.cumsum(before_p[order])
    return int(order[int(np.searchsorted(cum, inputs["top_p"]))])
