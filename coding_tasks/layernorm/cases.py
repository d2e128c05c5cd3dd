"""Seeded layernorm cases (inputs only): ordinary rows, N=1, D=1, a constant row, and model-sized rows that
only a real backward pass (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(rng: np.random.Generator, name: str, about: str, n: int, d: int, constant_row: bool = False) -> Case:
    x = rng.standard_normal((n, d)) * 2 + rng.standard_normal((n, 1)) * 3
    if constant_row:
        x[0] = -0.7
    inputs = {"x": x, "gamma": rng.uniform(0.5, 2, size=d), "beta": rng.standard_normal(d), "eps": 1e-5,
              "dout": rng.standard_normal((n, d))}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case(rng, "batch", "N=6, D=8", 6, 8),
        _case(rng, "single_row", "a single example, N=1", 1, 10),
        _case(rng, "single_feature", "D=1: every row normalises to 0, out = beta", 4, 1),
        _case(rng, "constant_row", "a row whose features are all equal", 5, 6, constant_row=True),
        # A model-sized row: the backward pass costs O(D); numerical differentiation costs O(D**2) per row
        # (billions of operations), far past the time limit. Last, so the small cases are still reported.
        _case(rng, "model_width", "a row of a model-sized D=16384", 1, 16384),
    ]
