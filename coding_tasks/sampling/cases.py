"""Seeded sampling cases (inputs only): top-k, top-p, both, temperatures, greedy, masked tokens.

Top-p thresholds sit half-way between two cumulative sums, so no sum lands near top_p, and the token
that crosses the threshold has a share large enough that leaving it out cannot go unnoticed.
"""

from __future__ import annotations

import numpy as np

from bot.coding.case import Case

from .reference import distribution

DRAWS = 3000


def _inputs(rng: np.random.Generator, logits: np.ndarray, temperature: float, top_k: int | None,
            top_p: float | None, draws: int = DRAWS) -> dict:
    return {"logits": logits, "temperature": temperature, "top_k": top_k, "top_p": top_p,
            "seed": int(rng.integers(2**31)), "draws": draws}


def _detectably_different(inputs: dict, variant: dict) -> bool:
    """The mistake `variant` keeps a different set of tokens, and some token in one set but not the other
    is expected at least 25 times in DRAWS under the sampler that keeps it (so its presence or absence
    cannot go unnoticed)."""
    right, wrong = distribution(inputs), distribution(inputs, **variant)
    differ = (right > 0) != (wrong > 0)
    return bool(differ.any()) and float(np.maximum(right, wrong)[differ].max()) * DRAWS >= 25


def _nucleus_case(rng: np.random.Generator, v: int, temperature: float, top_k: int | None,
                  differs_from_top_p_first: bool = False) -> dict:
    """Logits and a top_p that keeps a 2-4 token prefix whose last (crossing) token has >= 8% mass.
    With a temperature other than 1, choosing the tokens before applying it must keep a different set."""
    for _ in range(200):
        logits = rng.standard_normal(v) * 1.5
        inputs = _inputs(rng, logits, temperature, top_k, None)
        probs = distribution(inputs)
        ordered = np.sort(probs)[::-1]
        cum = np.cumsum(ordered)
        candidates = [j for j in (3, 2, 1) if ordered[j] >= 0.08 and cum[j] < 0.97]
        if not candidates:
            continue
        j = candidates[0]
        inputs["top_p"] = float(round((cum[j - 1] + cum[j]) / 2, 4))
        if differs_from_top_p_first and np.allclose(distribution(inputs), distribution(inputs, top_p_first=True)):
            continue
        if temperature != 1.0 and not _detectably_different(inputs, {"temperature_mode": "after_truncation"}):
            continue
        return inputs
    raise RuntimeError("could not draw a top-p case")  # pragma: no cover - 200 tries never all fail


def make_cases(rng: np.random.Generator) -> list[Case]:
    masked = rng.standard_normal(9) * 1.5
    masked[rng.choice(9, size=3, replace=False)] = -np.inf
    return [
        Case("top_k", _inputs(rng, rng.standard_normal(10) * 1.5, 1.0, 3, None), "V=10, top_k=3"),
        Case("top_p", _nucleus_case(rng, 8, 1.0, None), "V=8, top_p only"),
        Case("top_k_then_top_p", _nucleus_case(rng, 12, 1.0, 5, differs_from_top_p_first=True),
             "V=12, top_k=5, then top_p on the renormalised top-5"),
        Case("low_temperature", _inputs(rng, rng.standard_normal(6), 0.5, None, None), "temperature 0.5"),
        Case("high_temperature", _inputs(rng, rng.standard_normal(7) * 2, 2.5, 4, None),
             "temperature 2.5 with top_k=4"),
        Case("temperature_and_top_p", _nucleus_case(rng, 10, 0.7, None), "temperature 0.7 with top_p"),
        Case("greedy", _inputs(rng, rng.standard_normal(8), 0.0, 3, 0.5, draws=100),
             "temperature 0: greedy, always the largest logit"),
        Case("masked_tokens", _inputs(rng, masked, 1.0, None, None), "three tokens masked with -inf"),
        Case("tiny_top_p", _inputs(rng, rng.standard_normal(6), 1.0, None, 0.01, draws=300),
             "top_p=0.01: only the most likely token is kept"),
    ]
