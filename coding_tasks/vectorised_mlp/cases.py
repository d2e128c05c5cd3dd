"""Seeded cases (inputs only): small batches for correctness, N=1, and one large timed batch."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case

#: the submission's whole step may take at most this many times the vectorised reference's (see checker.py)
RATIO_LIMIT = 10.0
#: ... and mlp_forward or mlp_backward alone at most this many times its counterpart's (a loop confined to
#: one function is diluted in the whole step's time)
PART_RATIO_LIMIT = 10.0
#: the timed batch: small layers, so a vectorised step is BLAS-cheap and a per-sample loop is all overhead
TIMED = {"n": 4096, "d": 8, "h": 16, "c": 10}


def _inputs(rng: np.random.Generator, n: int, d: int, h: int, c: int, *, timed: bool = False) -> dict:
    X = rng.standard_normal((n, d))
    W1 = rng.standard_normal((d, h)) / np.sqrt(d)
    b1 = rng.standard_normal(h) * 0.1
    pre = X @ W1 + b1
    b1 = b1 + np.where(np.abs(pre).min(axis=0) < 1e-3, 0.01, 0.0)  # keep ReLU inputs away from the kink
    return {"X": X, "W1": W1, "b1": b1, "W2": rng.standard_normal((h, c)) / np.sqrt(h),
            "b2": rng.standard_normal(c) * 0.1, "dscores": rng.standard_normal((n, c)) / n,
            "lr": float(rng.choice([0.05, 0.1, 0.5])), "timed": timed, "ratio_limit": RATIO_LIMIT,
            "part_ratio_limit": PART_RATIO_LIMIT}


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        Case("small_batch", _inputs(rng, 8, 5, 6, 3), "N=8, D=5, H=6, C=3"),
        Case("single_example", _inputs(rng, 1, 4, 7, 3), "a single example, N=1"),
        Case("wider", _inputs(rng, 32, 12, 20, 6), "N=32, D=12, H=20, C=6"),
        Case("timed_batch", _inputs(rng, TIMED["n"], TIMED["d"], TIMED["h"], TIMED["c"], timed=True),
             f"N={TIMED['n']} samples, timed against a vectorised implementation"),
    ]
