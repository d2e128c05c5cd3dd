"""Seeded max-pool cases (inputs only): plain 2x2, overlapping windows, all-negative input, ties."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def out_shape(x_shape: tuple[int, ...], ph: int, pw: int, stride: int) -> tuple[int, ...]:
    n, c, h, w = x_shape
    return (n, c, 1 + (h - ph) // stride, 1 + (w - pw) // stride)


def _case(rng: np.random.Generator, name: str, about: str, x: np.ndarray, ph: int, pw: int, stride: int) -> Case:
    inputs = {"x": x, "pool_height": ph, "pool_width": pw, "stride": stride,
              "dout": rng.standard_normal(out_shape(x.shape, ph, pw, stride))}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    ties = rng.integers(0, 3, size=(2, 2, 6, 6)).astype(np.float64)  # few distinct values: many ties
    return [
        _case(rng, "two_by_two", "2x2 windows, stride 2", rng.standard_normal((2, 3, 6, 8)), 2, 2, 2),
        _case(rng, "overlapping", "3x3 windows with stride 1 (overlapping)", rng.standard_normal((2, 2, 5, 6)),
              3, 3, 1),
        _case(rng, "all_negative", "every input negative", -np.abs(rng.standard_normal((1, 2, 4, 4))) - 1, 2, 2, 2),
        _case(rng, "uneven", "a 2x3 window with stride 2 that leaves a remainder", rng.standard_normal((1, 1, 7, 8)),
              2, 3, 2),
        _case(rng, "ties", "windows with several equal maxima", ties, 2, 2, 2),
        _case(rng, "overlapping_ties", "overlapping windows with ties", ties[:1, :1], 3, 3, 1),
    ]
