"""Seeded activation cases (inputs only): exact zeros for the kinks, ±1000 for overflow, and tiny x just beside
the kink, where a finite difference with a fixed step straddles it."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _x_with_zeros(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 2.0) -> np.ndarray:
    x = rng.standard_normal(shape) * scale
    x.flat[:: max(1, x.size // 7)] = 0.0  # exact zeros probe the derivative at the kink
    return x


def _case(rng: np.random.Generator, name: str, about: str, kind: str, x: np.ndarray,
          slope: float = 0.01) -> Case:
    return Case(name, {"x": x, "kind": kind, "slope": slope, "dout": rng.standard_normal(x.shape)}, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    extreme = np.concatenate([rng.standard_normal(20), [1000.0, -1000.0, 800.0, -745.0, 40.0, -40.0]])
    return [
        _case(rng, "relu", "ReLU with some x exactly 0", "relu", _x_with_zeros(rng, (6, 7))),
        _case(rng, "leaky_relu", "leaky ReLU, slope 0.01, some x exactly 0", "leaky_relu",
              _x_with_zeros(rng, (5, 8))),
        _case(rng, "leaky_relu_slope", "leaky ReLU with slope 0.2", "leaky_relu", _x_with_zeros(rng, (3, 4, 5)),
              slope=0.2),
        _case(rng, "sigmoid", "sigmoid on ordinary values", "sigmoid", rng.standard_normal((6, 5)) * 3),
        _case(rng, "sigmoid_extreme", "sigmoid with x around ±1000", "sigmoid", extreme),
        _case(rng, "tanh", "tanh, including large |x|", "tanh", np.concatenate([rng.standard_normal(30) * 2,
                                                                                 [300.0, -300.0]])),
        # Tiny x on both sides of the kink: the derivative is exactly 1 or slope, but a finite difference whose
        # step is larger than |x| straddles the kink and returns a value in between. Last, so the ordinary cases
        # are still reported first.
        _case(rng, "leaky_relu_near_kink", "leaky ReLU, slope 0.1, with |x| around 1e-8 and some x exactly 0",
              "leaky_relu", _x_with_zeros(rng, (4, 6), scale=1e-8), slope=0.1),
    ]
