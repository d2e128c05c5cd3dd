"""Seeded Adam cases (inputs only): the first step, many steps, tiny gradients, zero gradients."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(name: str, about: str, w: np.ndarray, dws: np.ndarray, lr: float = 1e-3, beta1: float = 0.9,
          beta2: float = 0.999, eps: float = 1e-8) -> Case:
    return Case(name, {"w": w, "dws": dws, "lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case("first_step", "the very first step (t=1): each weight moves by about lr",
              rng.standard_normal((4, 3)), rng.standard_normal((1, 4, 3)), lr=0.01),
        _case("ten_steps", "10 steps", rng.standard_normal(6), rng.standard_normal((10, 6)), lr=0.05),
        _case("tiny_gradients", "gradients around 1e-7, where eps matters", rng.standard_normal(5),
              rng.standard_normal((4, 5)) * 1e-7, lr=0.01),
        _case("zero_gradients", "zero gradients after two ordinary steps", rng.standard_normal(4),
              np.concatenate([rng.standard_normal((2, 4)), np.zeros((3, 4))]), lr=0.02),
        _case("other_betas", "beta1=0.5, beta2=0.9", rng.standard_normal((2, 3)), rng.standard_normal((5, 2, 3)),
              lr=0.1, beta1=0.5, beta2=0.9),
    ]
