"""Seeded attention cases (inputs only): no mask, causal, padding with a fully masked row, Lq != Lk."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _qkv(rng: np.random.Generator, b: int, lq: int, lk: int, d: int, dv: int, scale: float = 1.0) -> dict:
    return {"q": rng.standard_normal((b, lq, d)) * scale, "k": rng.standard_normal((b, lk, d)) * scale,
            "v": rng.standard_normal((b, lk, dv))}


def make_cases(rng: np.random.Generator) -> list[Case]:
    causal = np.tril(np.ones((5, 5), dtype=bool))
    padding = rng.random((2, 3, 6)) < 0.7
    padding[:, :, 0] = True
    padding[1, 2, :] = False  # this query may attend to nothing
    return [
        Case("no_mask", {**_qkv(rng, 2, 4, 4, 8, 3), "mask": None}, "no mask, B=2, L=4, d=8"),
        Case("causal", {**_qkv(rng, 2, 5, 5, 4, 4), "mask": causal}, "a causal (lower-triangular) mask"),
        Case("cross_lengths", {**_qkv(rng, 1, 3, 7, 6, 2), "mask": None}, "Lq=3 queries over Lk=7 keys"),
        Case("padding_mask", {**_qkv(rng, 2, 3, 6, 4, 5), "mask": padding},
             "a per-batch mask with one fully masked query"),
        Case("single_key", {**_qkv(rng, 3, 2, 1, 5, 2), "mask": None}, "a single key, Lk=1"),
        Case("large_scores", {**_qkv(rng, 1, 4, 4, 16, 3, scale=12.0), "mask": None},
             "scores in the hundreds"),
    ]
