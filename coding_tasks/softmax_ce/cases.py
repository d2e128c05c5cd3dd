"""Seeded cases (inputs only): ordinary logits, N=1, C=2, equal logits, ±1000 and -inf entries, and a
vocabulary-sized C that only a real gradient (not numerical differentiation) finishes in time."""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case


def _case(name: str, about: str, logits: np.ndarray, y: np.ndarray) -> Case:
    return Case(name, {"logits": logits.astype(np.float64), "y": y.astype(np.int64)}, about)


def make_cases(rng: np.random.Generator) -> list[Case]:
    huge = rng.uniform(-1000, 1000, size=(4, 6))
    huge[np.arange(4), rng.integers(0, 6, size=4)] = 1000.0
    masked = rng.standard_normal((5, 4))
    y_masked = rng.integers(0, 3, size=5)
    masked[:, 3] = -np.inf  # class 3 is masked and never the target
    return [
        _case("small_batch", "N=6, C=5", rng.standard_normal((6, 5)) * 3, rng.integers(0, 5, size=6)),
        _case("single_row", "a single row, N=1", rng.standard_normal((1, 7)), rng.integers(0, 7, size=1)),
        _case("two_classes", "two classes, C=2", rng.standard_normal((8, 2)), rng.integers(0, 2, size=8)),
        _case("equal_logits", "all logits equal: loss must be log C", np.full((3, 4), 2.5),
              rng.integers(0, 4, size=3)),
        _case("huge_logits", "logits around ±1000", huge, rng.integers(0, 6, size=4)),
        _case("masked_class", "a class masked with -inf logits", masked, y_masked),
        # A vocabulary-sized row: the gradient costs O(C); numerical differentiation costs O(C**2) per row,
        # far past the time limit. Last, so the small cases are still reported.
        _case("vocabulary_sized", "two rows over a 32768-token vocabulary", rng.standard_normal((2, 32768)) * 3,
              rng.integers(0, 32768, size=2)),
    ]
