"""Seeded momentum cases (inputs only): constant lr, a schedule, Nesterov, zero gradients, one step."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(rng: np.random.Generator, name: str, about: str, shape: tuple[int, ...], lrs: list[float],
          momentum: float = 0.9, nesterov: bool = False, zero: bool = False) -> Case:
    dws = np.zeros((len(lrs), *shape)) if zero else rng.standard_normal((len(lrs), *shape))
    inputs = {"w": rng.standard_normal(shape), "dws": dws, "lrs": np.asarray(lrs, dtype=np.float64),
              "momentum": momentum, "nesterov": nesterov}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case(rng, "five_steps", "5 steps, lr 0.1, momentum 0.9", (4, 3), [0.1] * 5),
        _case(rng, "lr_schedule", "6 steps while the learning rate halves", (5,), [0.2, 0.1, 0.05, 0.025, 0.0125, 0.00625]),
        _case(rng, "nesterov", "4 Nesterov steps, momentum 0.8", (3, 3), [0.05] * 4, momentum=0.8, nesterov=True),
        _case(rng, "zero_gradient", "3 steps with zero gradients", (2, 2), [0.1] * 3, zero=True),
        _case(rng, "one_step", "a single step", (6,), [0.3]),
    ]
