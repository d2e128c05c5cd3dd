"""Seeded RMSNorm cases (inputs only): 2-D and 3-D batches, one vector, D=1, a zero vector, tiny inputs, and
model-sized rows that only a real backward pass (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(rng: np.random.Generator, name: str, about: str, shape: tuple[int, ...], *, scale: float = 1.0,
          eps: float = 1e-6, zero_first: bool = False) -> Case:
    x = rng.standard_normal(shape) * scale + rng.standard_normal((*shape[:-1], 1)) * scale
    if zero_first:
        x.reshape(-1, shape[-1])[0] = 0.0
    inputs = {"x": x, "gamma": rng.uniform(0.5, 2.0, size=shape[-1]), "eps": eps,
              "dout": rng.standard_normal(shape)}
    return Case(name, inputs, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    return [
        _case(rng, "batch", "N=6, D=8", (6, 8)),
        _case(rng, "sequence_3d", "a (B, T, D) = (2, 5, 6) input: dgamma sums over B and T", (2, 5, 6)),
        _case(rng, "single_vector", "a single vector, N=1", (1, 12)),
        _case(rng, "single_feature", "D=1: out is gamma * x / sqrt(x**2 + eps)", (5, 1), scale=0.01, eps=1e-4),
        _case(rng, "zero_vector", "an all-zero vector among ordinary ones", (4, 7), zero_first=True, eps=1e-5),
        _case(rng, "tiny_inputs", "inputs around 1e-3 with eps=1e-5, where eps matters", (3, 10), scale=1e-3,
              eps=1e-5),
        # A model-sized row: the backward pass costs O(D); numerical differentiation costs O(D**2) per row
        # (billions of operations), far past the time limit. Last, so the small cases are still reported.
        _case(rng, "model_width", "two rows of a model-sized D=16384", (2, 16384)),
    ]
