"""Seeded affine cases (inputs only): 2-D and 4-D inputs, N=1, M=1, and a layer-sized case that only a real
backward pass (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(rng: np.random.Generator, name: str, about: str, x_shape: tuple[int, ...], m: int) -> Case:
    d = int(np.prod(x_shape[1:]))
    inputs = {"x": rng.standard_normal(x_shape), "w": rng.standard_normal((d, m)) / np.sqrt(d),
              "b": rng.standard_normal(m), "dout": rng.standard_normal((x_shape[0], m))}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case(rng, "matrix_input", "x of shape (5, 6), M=3", (5, 6), 3),
        _case(rng, "image_input", "x of shape (4, 2, 3, 5) flattened to D=30, M=7", (4, 2, 3, 5), 7),
        _case(rng, "single_example", "a single example, N=1", (1, 3, 4), 5),
        _case(rng, "single_output", "a single output unit, M=1", (6, 8), 1),
        # A layer-sized case: the backward pass is three small matrix products; numerical differentiation needs
        # two forward passes per entry of x and w (~50k), far past the time limit. Last, so the small cases are
        # still reported.
        _case(rng, "layer_sized", "a batch of 32 with D=512 inputs and M=64 outputs", (32, 512), 64),
    ]
