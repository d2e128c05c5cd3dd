"""Seeded LSTM-step cases (inputs only): ordinary, N=1, H=1, saturated gates, and a layer-sized step that
only a real backward pass (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(rng: np.random.Generator, name: str, about: str, n: int, d: int, h: int, scale: float = 1.0) -> Case:
    inputs = {"x": rng.standard_normal((n, d)), "prev_h": rng.standard_normal((n, h)),
              "prev_c": rng.standard_normal((n, h)),
              "Wx": rng.standard_normal((d, 4 * h)) * scale / np.sqrt(d),
              "Wh": rng.standard_normal((h, 4 * h)) * scale / np.sqrt(h),
              "b": rng.standard_normal(4 * h) * 0.1 * scale,
              "dnext_h": rng.standard_normal((n, h)), "dnext_c": rng.standard_normal((n, h))}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case(rng, "small", "N=3, D=4, H=5", 3, 4, 5),
        _case(rng, "single_example", "a single example, N=1", 1, 6, 3),
        _case(rng, "single_unit", "one hidden unit, H=1", 4, 3, 1),
        _case(rng, "saturated_gates", "pre-activations in the tens (saturated gates)", 2, 5, 4, scale=25.0),
        # A layer-sized step: the backward pass is a few matrix products; numerical differentiation needs two
        # forward passes per entry of Wx and Wh (~100k), far past the time limit. Last, so the small cases are
        # still reported.
        _case(rng, "layer_sized", "N=4, D=64, H=128: weights of 64x512 and 128x512", 4, 64, 128),
    ]
