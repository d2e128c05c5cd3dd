"""Seeded multi-head attention cases (inputs only): several head counts, causal and not, T=1, large
scores, each with a prompt cache the checker fills itself for the given-cache decode step."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _inputs(rng: np.random.Generator, b: int, t: int, d: int, n_heads: int, causal: bool = True,
            prompt: int = 3, x_scale: float = 1.0) -> dict:
    dh = d // n_heads
    weights = {w: rng.standard_normal((d, d)) / np.sqrt(d) for w in ("Wq", "Wk", "Wv", "Wo")}
    return {"x": rng.standard_normal((b, t, d)) * x_scale, **weights, "n_heads": n_heads, "causal": causal,
            "prompt_k": rng.standard_normal((b, n_heads, prompt, dh)),
            "prompt_v": rng.standard_normal((b, n_heads, prompt, dh)),
            "x_new": rng.standard_normal((b, d))}


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("two_heads", _inputs(rng, 2, 5, 8, 2), "B=2, T=5, D=8, 2 heads, causal"),
        Case("single_head", _inputs(rng, 1, 4, 6, 1, prompt=2), "one head, D=6, causal"),
        Case("four_heads", _inputs(rng, 2, 6, 12, 4, prompt=5), "4 heads of size 3, T=6, causal"),
        Case("not_causal", _inputs(rng, 2, 5, 8, 4, causal=False), "causal=False: every position sees every other"),
        Case("one_token", _inputs(rng, 3, 1, 8, 2, prompt=1), "a single token, T=1"),
        Case("large_scores", _inputs(rng, 1, 6, 16, 2, x_scale=12.0, prompt=4), "inputs scaled by 12: large scores"),
    ]
