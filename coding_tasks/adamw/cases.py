"""Seeded AdamW cases (inputs only): first step, many steps, strong decay, zero gradients, no decay."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(name: str, about: str, w: np.ndarray, dws: np.ndarray, *, lr: float = 1e-3, beta1: float = 0.9,
          beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 1e-2) -> Case:
    inputs = {"w": w, "dws": dws, "lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps,
              "weight_decay": weight_decay}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case("first_step", "the first step (t=1), lr=0.01, weight_decay=0.1", rng.standard_normal((4, 3)),
              rng.standard_normal((1, 4, 3)), lr=0.01, weight_decay=0.1),
        _case("ten_steps", "10 steps, lr=0.05, weight_decay=0.05", rng.standard_normal(6) * 3,
              rng.standard_normal((10, 6)), lr=0.05, weight_decay=0.05),
        _case("strong_decay", "lr=0.1 and weight_decay=0.5: the decay's placement matters",
              rng.standard_normal((3, 3)) * 2, rng.standard_normal((6, 3, 3)), lr=0.1, weight_decay=0.5),
        _case("zero_gradients", "zero gradients after two ordinary steps", rng.standard_normal(5) * 2,
              np.concatenate([rng.standard_normal((2, 5)), np.zeros((4, 5))]), lr=0.02, weight_decay=0.1),
        _case("no_decay", "weight_decay=0: plain Adam", rng.standard_normal(4), rng.standard_normal((5, 4)),
              lr=0.01, weight_decay=0.0),
        _case("other_betas", "beta1=0.5, beta2=0.9, tiny gradients where eps matters",
              rng.standard_normal((2, 4)), rng.standard_normal((5, 2, 4)) * 1e-7, lr=0.03, beta1=0.5, beta2=0.9,
              weight_decay=0.2),
    ]
