"""Seeded clipping cases (inputs only): over and under the limit, several arrays, clipping by value."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _grads(rng: np.random.Generator, shapes: list[tuple[int, ...]], scale: float) -> list[np.ndarray]:
    return [rng.standard_normal(shape) * scale for shape in shapes]


def make_cases(rng: np.random.Generator) -> list[Case]:
    shapes = [(4, 3), (3,), (2, 2, 2)]
    return [
        Case("norm_one_array", {"mode": "norm", "grads": _grads(rng, [(5, 4)], 3.0), "limit": 1.0},
             "one gradient array whose norm is above max_norm"),
        Case("norm_global", {"mode": "norm", "grads": _grads(rng, shapes, 2.0), "limit": 5.0},
             "three arrays: one global norm above max_norm"),
        Case("norm_below_limit", {"mode": "norm", "grads": _grads(rng, shapes, 0.1), "limit": 10.0},
             "a global norm below max_norm: unchanged"),
        Case("value", {"mode": "value", "grads": _grads(rng, shapes, 2.0), "limit": 1.5},
             "clipping by value at 1.5"),
        Case("value_small", {"mode": "value", "grads": _grads(rng, [(6,)], 0.1), "limit": 1.0},
             "clipping by value with nothing to clip"),
    ]
