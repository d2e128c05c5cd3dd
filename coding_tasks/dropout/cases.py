"""Seeded dropout cases (inputs only). Large arrays for the statistical checks, several p."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _nonzero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    # |x| in [0.5, 2] so a zero in `out` can only mean "dropped"
    return rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _case(rng: np.random.Generator, name: str, about: str, shape: tuple[int, ...], p: float,
          train: bool) -> Case:
    inputs = {"x": _nonzero(rng, shape), "p": p, "train": train,
              "seed": int(rng.integers(2**31)), "dout": rng.standard_normal(shape)}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        # 10,000 elements: the dropped fraction is then known to within about 0.02 (6 sigma), far
        # tighter than any convention mix-up (p versus 1-p) needs, and cheap to send to the sandbox.
        _case(rng, "train_p0.8", "training, p=0.8, 10,000 elements", (100, 100), 0.8, True),
        _case(rng, "train_p0.5", "training, p=0.5, 10,000 elements", (100, 100), 0.5, True),
        _case(rng, "train_p0.1", "training, p=0.1, 10,000 elements", (50, 200), 0.1, True),
        _case(rng, "eval_p0.5", "evaluation mode, p=0.5", (64, 50), 0.5, False),
        _case(rng, "train_p0", "training, p=0", (32, 16), 0.0, True),
        _case(rng, "train_p1", "training, p=1", (32, 16), 1.0, True),
        _case(rng, "train_3d", "training, a 3-D input, p=0.3", (4, 25, 30), 0.3, True),
    ]
