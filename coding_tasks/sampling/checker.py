"""Sampling checker: which tokens appear, then a chi-square test of their frequencies against the
renormalised truncated softmax; named hints for the usual truncation and temperature mistakes.

Thresholds: a token with an expected count of 25 or more that never appears fails (chance e^-25 for a
correct sampler); the frequency test fails below a p-value of 1e-6. A correct sampler thus fails a
case about once in a million runs, while each mistake below moves whole tokens in or out of the
support or shifts a frequency by many standard deviations at 3000 draws.
"""

from __future__ import annotations

import numpy as np
import torch

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array

from .reference import crossing_token, distribution, expected

MIN_EXPECTED_COUNT = 25.0
CHI2_FAIL_P = 1e-6
VARIANT_FITS_P = 1e-3

VARIANTS: tuple[tuple[dict, str], ...] = (
    ({"keep_crossing": False}, "top-p must KEEP the token that takes the cumulative probability to or past top_p "
                               "(the smallest set whose cumulative probability is >= top_p); yours drops it"),
    ({"top_p_first": True}, "apply top-p AFTER top-k, to the renormalised distribution of the top-k tokens "
                            "(yours applied it to the full distribution)"),
    ({"temperature_mode": "multiply"}, "divide the logits by the temperature (logits / T); yours multiplied them"),
    # Before "ignore": both keep the tokens chosen without the temperature, and when the draws fit both, the
    # one that reshapes the kept tokens by T is the likelier mistake.
    ({"temperature_mode": "after_truncation"}, "apply the temperature FIRST: top-k and top-p choose tokens from "
                                               "softmax(logits / T), not from the untempered logits"),
    ({"temperature_mode": "ignore"}, "the temperature had no effect: divide the logits by it before the softmax"),
    ({"top_k_shift": 1}, "top-k keeps exactly top_k tokens; yours kept one more (off by one)"),
    ({"top_k_shift": -1}, "top-k keeps exactly top_k tokens; yours kept one fewer (off by one)"),
)


def chi_square(counts: np.ndarray, probs: np.ndarray) -> tuple[float, float]:
    """(statistic, p-value) of observed counts against probabilities, over the tokens with probability > 0.

    Tokens expected fewer than 5 times are pooled into one bin, as the test requires.
    """
    n = counts.sum()
    support = probs > 0
    observed, want = counts[support].astype(np.float64), probs[support] * n
    small = want < 5
    if small.any():
        observed = np.append(observed[~small], observed[small].sum())
        want = np.append(want[~small], want[small].sum())
    if observed.size < 2:
        return 0.0, 1.0
    statistic = float(np.sum((observed - want) ** 2 / want))
    dof = observed.size - 1
    p_value = float(torch.special.gammaincc(torch.tensor(dof / 2, dtype=torch.float64),
                                            torch.tensor(statistic / 2, dtype=torch.float64)))
    return statistic, p_value


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _rank(inputs: dict, token: int) -> int:
    """0 for the largest logit."""
    return int(np.sum(inputs["logits"] > inputs["logits"][token]))


def _explain_outside(inputs: dict, counts: np.ndarray, probs: np.ndarray) -> str:
    outside = np.flatnonzero((counts > 0) & (probs == 0))
    token = int(outside[np.argmax(counts[outside])])
    share = counts[token] / counts.sum()
    seen = f"token {token} was sampled {int(counts[token])} times ({share:.1%}) but must never appear"
    if np.isneginf(inputs["logits"][token]):
        return f"{seen}: its logit is -inf (a masked token)"
    if inputs["temperature"] == 0:
        return f"{seen}: temperature 0 means greedy, always token {int(np.argmax(inputs['logits']))}, the largest logit"
    top_k = inputs["top_k"]
    if top_k is not None and _rank(inputs, token) >= top_k:
        if all(_rank(inputs, int(t)) == top_k for t in outside):
            return f"{seen}: top_k={top_k} keeps exactly {top_k} tokens, and yours kept {top_k + 1} (off by one)"
        return f"{seen}: it is not among the top_k={top_k} highest logits"
    for kwargs, hint in VARIANTS:
        if _fits(counts, distribution(inputs, **kwargs)):
            return f"{seen}: {hint}"
    return (f"{seen}: it lies outside the top-p nucleus (top_p={inputs['top_p']:g}: the smallest set of most likely "
            f"tokens, after temperature and top-k, whose cumulative probability reaches top_p)")


def _explain_missing(inputs: dict, counts: np.ndarray, probs: np.ndarray) -> str:
    missing = np.flatnonzero((counts == 0) & (probs * counts.sum() >= MIN_EXPECTED_COUNT))
    token = int(missing[np.argmax(probs[missing])])
    never = f"token {token} never appeared in {int(counts.sum())} draws, but its share should be {probs[token]:.1%}"
    if token == crossing_token(inputs):
        return f"{never}: {VARIANTS[0][1]}"
    top_k = inputs["top_k"]
    if top_k is not None and _rank(inputs, token) == top_k - 1:
        return f"{never}: it has the {_ordinal(top_k)} highest logit, and top_k={top_k} keeps {top_k} tokens"
    for kwargs, hint in VARIANTS:
        if _fits(counts, distribution(inputs, **kwargs)):
            return f"{never}: {hint}"
    return never


def _fits(counts: np.ndarray, probs: np.ndarray) -> bool:
    if ((counts > 0) & (probs == 0)).any():
        return False
    return chi_square(counts, probs)[1] >= VARIANT_FITS_P


def _explain_frequencies(inputs: dict, counts: np.ndarray, probs: np.ndarray, p_value: float) -> str:
    right = expected(inputs)["probs"]
    for kwargs, hint in VARIANTS:
        variant = distribution(inputs, **kwargs)
        if not np.allclose(variant, right) and _fits(counts, variant):
            return hint
    n = counts.sum()
    sigma = np.sqrt(np.maximum(probs * (1 - probs) / n, 1e-12))
    token = int(np.argmax(np.abs(counts / n - probs) / sigma))
    return (f"the token frequencies do not follow the renormalised truncated softmax (chi-square p-value "
            f"{p_value:.1e} over {n} draws): token {token} came up {counts[token] / n:.1%} of the time, "
            f"expected {probs[token]:.1%}")


def check_case(case: Case, got: dict) -> CaseCheck:
    inputs = case.inputs
    tokens = as_numeric_array(got.get("tokens"))
    again = as_numeric_array(got.get("again"))
    size = inputs["logits"].size
    if tokens is None or again is None or tokens.ndim != 1 or tokens.size != inputs["draws"] or \
            tokens.dtype.kind not in "iu":
        return CaseCheck.fail("the sampled tokens could not be read back; return one int per call")
    if tokens.min() < 0 or tokens.max() >= size:
        return CaseCheck.fail(f"a sampled token is outside [0, {size})")
    if again.shape != (min(again.size, tokens.size),) or not np.array_equal(again, tokens[: again.size]):
        return CaseCheck.fail("the same seed gave different tokens: draw all randomness from rng, the numpy "
                              "Generator passed in (not np.random.* functions or torch's global generator)")
    probs = expected(inputs)["probs"]
    counts = np.bincount(tokens, minlength=size)
    if ((counts > 0) & (probs == 0)).any():
        return CaseCheck.fail(_explain_outside(inputs, counts, probs))
    if ((counts == 0) & (probs * tokens.size >= MIN_EXPECTED_COUNT)).any():
        return CaseCheck.fail(_explain_missing(inputs, counts, probs))
    _, p_value = chi_square(counts, probs)
    if p_value < CHI2_FAIL_P:
        return CaseCheck.fail(_explain_frequencies(inputs, counts, probs, p_value))
    kept = int((probs > 0).sum())
    return CaseCheck.ok(f"{tokens.size} draws over the {kept} allowed tokens; frequencies fit (p={p_value:.2g})")
