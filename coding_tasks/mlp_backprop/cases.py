"""Seeded MLP cases (inputs only): ordinary batches, N=1, C=2, very large logits, and layers wide enough
that only a real backward pass (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _inputs(rng: np.random.Generator, n: int, d: int, h: int, c: int, logit_scale: float = 0.0) -> dict:
    X = rng.standard_normal((n, d))
    W1 = rng.standard_normal((d, h)) / np.sqrt(d)
    b1 = rng.standard_normal(h) * 0.1
    pre = X @ W1 + b1
    b1 = b1 + np.where(np.abs(pre).min(axis=0) < 1e-3, 0.01, 0.0)  # keep ReLU inputs away from the kink
    W2 = rng.standard_normal((h, c)) / np.sqrt(h)
    b2 = rng.standard_normal(c) * 0.1
    if logit_scale:
        b2 = rng.permutation(np.linspace(-logit_scale, logit_scale, c))
    return {"X": X, "y": rng.integers(0, c, size=n).astype(np.int64), "W1": W1, "b1": b1, "W2": W2, "b2": b2}


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("small_batch", _inputs(rng, 8, 5, 10, 4), "N=8, D=5, H=10, C=4"),
        Case("single_example", _inputs(rng, 1, 6, 7, 3), "a single example, N=1"),
        Case("two_classes", _inputs(rng, 5, 4, 6, 2), "two classes, C=2"),
        Case("large_logits", _inputs(rng, 6, 5, 8, 5, logit_scale=1000.0), "scores around ±1000"),
        Case("bigger_batch", _inputs(rng, 64, 20, 32, 10), "N=64, D=20, H=32, C=10"),
        # A backward pass costs about two forward passes here (milliseconds); differentiating numerically
        # costs two per parameter (18k of them): minutes, far past the time limit. Last, so the small
        # cases' results are still reported when a numerical gradient times out.
        Case("wide_layers", _inputs(rng, 256, 128, 128, 10), "N=256, D=128, H=128, C=10"),
    ]
