"""Dropout cases (inputs only), drawn afresh for every submission from its seed.

Shapes and p are random, so no submission can special-case a known grid. The "training" case runs
several (shape, p) settings, each for several calls, so the checker has about 100,000 mask bits for
its statistics; `x` and `dout` are generated from `data_seed` on both sides of the sandbox (the
driver and `inputs_of` below use the same generator), which keeps the request small.
"""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case

#: forward calls per training setting (the first two share one generator; the rest get fresh ones)
CALLS = 4


def inputs_of(setting: dict) -> tuple[np.ndarray, np.ndarray]:
    """(x, dout) of a setting; must match `_data` in driver.py exactly. |x| lies in [0.5, 2], so a
    zero in `out` can only mean "dropped"."""
    rng = np.random.default_rng(setting["data_seed"])
    shape = tuple(setting["shape"])
    u = rng.uniform(-1.5, 1.5, size=shape)
    return u + np.copysign(0.5, u), rng.standard_normal(shape)


def _setting(rng: np.random.Generator, shape: tuple[int, ...], p: float, train: bool) -> dict:
    return {"shape": [int(d) for d in shape], "p": float(p), "train": train,
            "data_seed": int(rng.integers(2**31)), "seed": int(rng.integers(2**31)), "calls": CALLS}  # fmt: skip


def _matrix(rng: np.random.Generator) -> tuple[int, int]:
    return int(rng.integers(70, 111)), int(rng.integers(70, 111))


def make_cases(rng: np.random.Generator) -> list[Case]:
    settings = [
        _setting(rng, _matrix(rng), round(float(rng.uniform(0.1, 0.3)), 3), True),
        _setting(rng, _matrix(rng), round(float(rng.uniform(0.4, 0.6)), 3), True),
        _setting(rng, _matrix(rng), round(float(rng.uniform(0.7, 0.9)), 3), True),
        _setting(rng, (int(rng.integers(2, 5)), int(rng.integers(15, 26)), int(rng.integers(20, 41))),
                 round(float(rng.uniform(0.2, 0.8)), 3), True),
    ]  # fmt: skip
    small = (int(rng.integers(20, 41)), int(rng.integers(10, 31)))
    return [
        Case("training", {"settings": settings}, f"training mode, {len(settings)} random shapes and values of p, "
                                                 f"{CALLS} calls each"),
        Case("eval", {"settings": [_setting(rng, small, round(float(rng.uniform(0.2, 0.8)), 3), False)]},
             "evaluation mode"),
        Case("p_zero", {"settings": [_setting(rng, small, 0.0, True)]}, "training, p=0"),
        Case("p_one", {"settings": [_setting(rng, small, 1.0, True)]}, "training, p=1"),
    ]
