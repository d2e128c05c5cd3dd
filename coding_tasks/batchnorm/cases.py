"""Seeded batchnorm cases (inputs only): train, eval, a constant feature, another momentum, N=2, and a large
batch that only a real backward pass (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(rng: np.random.Generator, name: str, about: str, n: int, d: int, *, train: bool,
          momentum: float = 0.1, constant_column: bool = False) -> Case:
    x = rng.standard_normal((n, d)) * rng.uniform(0.5, 3, size=d) + rng.uniform(-2, 2, size=d)
    if constant_column:
        x[:, 0] = 1.5
    inputs = {"x": x, "gamma": rng.uniform(0.5, 2, size=d), "beta": rng.standard_normal(d),
              "running_mean": rng.standard_normal(d) * 0.5, "running_var": rng.uniform(0.5, 2, size=d),
              "train": train, "momentum": momentum, "eps": 1e-5, "dout": rng.standard_normal((n, d))}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case(rng, "train", "training mode, N=16, D=5", 16, 5, train=True),
        _case(rng, "eval", "evaluation mode: use the running statistics", 8, 4, train=False),
        _case(rng, "train_momentum_0.3", "training with momentum=0.3", 10, 3, train=True, momentum=0.3),
        _case(rng, "constant_feature", "training, one feature constant over the batch", 12, 4, train=True,
              constant_column=True),
        _case(rng, "two_examples", "training with N=2", 2, 6, train=True),
        # A large batch: the backward pass costs O(N) per feature; numerical differentiation costs O(N**2) per
        # feature (forward passes per entry), far past the time limit. Last, so the small cases are still reported.
        _case(rng, "large_batch", "training with a batch of N=8192, D=4", 8192, 4, train=True),
    ]
