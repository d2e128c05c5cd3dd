"""Seeded conv cases (inputs only): padding, uneven stride, asymmetric and 1x1 kernels, kernel = input, and
feature maps large enough that only a real backward pass (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def out_shape(inputs: dict) -> tuple[int, ...]:
    n, _, h, wd = inputs["x"].shape
    f, _, hh, ww = inputs["w"].shape
    s, p = inputs["stride"], inputs["pad"]
    return (n, f, 1 + (h + 2 * p - hh) // s, 1 + (wd + 2 * p - ww) // s)


def _case(rng: np.random.Generator, name: str, about: str, x_shape: tuple[int, int, int, int],
          w_shape: tuple[int, int, int, int], stride: int, pad: int) -> Case:
    inputs = {"x": rng.standard_normal(x_shape), "w": rng.standard_normal(w_shape),
              "b": rng.standard_normal(w_shape[0]), "stride": stride, "pad": pad}
    inputs["dout"] = rng.standard_normal(out_shape(inputs))
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case(rng, "same_padding", "3x3 kernel, stride 1, pad 1", (2, 3, 6, 6), (4, 3, 3, 3), 1, 1),
        _case(rng, "asymmetric_kernel", "a 2x3 kernel (catches flipping), pad 0", (2, 2, 5, 6), (3, 2, 2, 3), 1, 0),
        _case(rng, "uneven_stride", "stride 2 that does not divide evenly (H=8, 3x3, pad 0)", (1, 2, 8, 7),
              (2, 2, 3, 3), 2, 0),
        _case(rng, "one_by_one", "a 1x1 kernel", (2, 4, 3, 3), (5, 4, 1, 1), 1, 0),
        _case(rng, "kernel_is_input", "the kernel covers the whole padded input", (3, 2, 4, 4), (2, 2, 6, 6), 1, 1),
        _case(rng, "single_channel", "N=1, C=1, stride 2, pad 2", (1, 1, 5, 5), (1, 1, 3, 3), 2, 2),
        # Feature maps of a small CNN: the backward pass is one sweep over the output positions; numerical
        # differentiation needs two forward passes per entry of x and w (~7000), far past the time limit.
        # Last, so the small cases are still reported.
        _case(rng, "feature_maps", "8 channels of 20x20 maps, eight 3x3 filters, pad 1", (2, 8, 20, 20),
              (8, 8, 3, 3), 1, 1),
    ]
