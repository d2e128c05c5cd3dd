"""Seeded label-smoothing cases (inputs only): several eps, N=1, C=2, eps=0 and 1, huge logits, and a
vocabulary-sized C that only a real gradient (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(rng: np.random.Generator, name: str, about: str, n: int, c: int, smoothing: float,
          scale: float = 2.0) -> Case:
    logits = rng.standard_normal((n, c)) * scale
    return Case(name, {"logits": logits, "y": rng.integers(0, c, size=n).astype(np.int64),
                       "smoothing": smoothing}, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    huge = _case(rng, "huge_logits", "logits around ±1000, smoothing=0.1", 4, 6, 0.1, scale=600.0)
    huge.inputs["logits"][0, 0] = 1000.0
    return [
        _case(rng, "batch", "N=8, C=5, smoothing=0.1", 8, 5, 0.1),
        _case(rng, "strong_smoothing", "N=5, C=4, smoothing=0.4", 5, 4, 0.4),
        _case(rng, "single_row", "a single row, N=1, C=7, smoothing=0.2", 1, 7, 0.2),
        _case(rng, "two_classes", "two classes, C=2, smoothing=0.3", 6, 2, 0.3),
        _case(rng, "no_smoothing", "smoothing=0: plain cross-entropy", 5, 6, 0.0),
        _case(rng, "full_smoothing", "smoothing=1: a uniform target", 4, 5, 1.0),
        huge,
        _case(rng, "many_classes", "N=16, C=50, smoothing=0.1", 16, 50, 0.1),
        # A vocabulary-sized row: the gradient costs O(C); numerical differentiation costs O(C**2) per row,
        # far past the time limit. Last, so the small cases are still reported.
        _case(rng, "vocabulary_sized", "two rows over a 32768-token vocabulary, smoothing=0.1", 2, 32768, 0.1),
    ]
