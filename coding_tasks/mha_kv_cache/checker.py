"""Multi-head attention checker: the full forward against a float64 reference, then token-by-token
decoding from an empty cache against the full causal recomputation, then one step on a cache the
checker filled itself. Hints for the scale, the head split, the causal mask and cache handling."""

from __future__ import annotations

import math

import numpy as np

from bot.coding.case import Case, CaseCheck
from bot.coding.compare import as_numeric_array, compare_array, matches

from .reference import expected, variant

FORWARD_VARIANTS: tuple[tuple[dict, str], ...] = (
    ({"scale": "model"}, "scale the scores by 1/sqrt(d_head), the HEAD dimension (D // n_heads), not 1/sqrt(D)"),
    ({"scale": "none"}, "scale the scores by 1/sqrt(d_head) before the softmax"),
    ({"split": "interleaved"}, "head h uses the CONTIGUOUS features [h*d_head, (h+1)*d_head): reshape to "
                               "(B, T, n_heads, d_head), not (B, T, d_head, n_heads)"),
    ({"mask": "strict"}, "the causal mask must let each position attend to ITSELF (keys 0..t, diagonal included)"),
    ({"mask": "one_ahead"}, "the causal mask lets each position see one future token; position t may only "
                            "attend to keys 0..t"),
    ({"mask": "none"}, "with causal=True position t must not attend to later positions (mask the upper triangle)"),
    ({"mask": "causal_when_off"}, "with causal=False every position attends to every position: apply no mask"),
    ({"project": False}, "project the concatenated heads with Wo: out = concat @ Wo"),
)


def _diagnose_forward(inputs: dict, out: object, want: np.ndarray) -> str | None:
    got = as_numeric_array(out)
    if got is None or got.shape != want.shape:
        return None
    if not np.isfinite(got).all():
        if inputs["causal"] and np.isnan(got[:, 0]).any():
            return FORWARD_VARIANTS[3][1]
        return "out has NaN or inf for large scores: subtract each row's max score before exp"
    for kwargs, hint in FORWARD_VARIANTS:
        if kwargs.get("mask") == "causal_when_off":
            if inputs["causal"]:
                continue
            candidate = variant({**inputs, "causal": True})
        else:
            candidate = variant(inputs, **kwargs)
        with np.errstate(invalid="ignore"):
            if np.isfinite(candidate).all() and not matches(candidate, want) and matches(got, candidate):
                return hint
    return None


def _attend_numpy(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(q.shape[-1])
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (weights / weights.sum(axis=-1, keepdims=True)) @ v


def _given_step_variants(inputs: dict) -> dict[str, np.ndarray]:
    """The given-cache step attending over the prompt only, or over the new token only."""
    b, d = inputs["x_new"].shape
    n_heads = inputs["n_heads"]
    q, k, v = ((inputs["x_new"] @ inputs[w]).reshape(b, n_heads, 1, d // n_heads) for w in ("Wq", "Wk", "Wv"))
    result = {}
    for name, (keys, values) in {"prompt_only": (inputs["prompt_k"], inputs["prompt_v"]),
                                 "new_only": (k, v)}.items():
        result[name] = _attend_numpy(q, keys, values).reshape(b, d) @ inputs["Wo"]
    return result


def _check_decode(inputs: dict, got: dict, want: dict) -> str | None:
    length = inputs["x"].shape[1]
    lengths = as_numeric_array(got.get("decode_lengths"))
    if lengths is None or list(lengths) != list(range(1, length + 1)):
        return (f"decoding from cache=None, the cache must hold t positions after t tokens (1, 2, ..., {length}); "
                f"yours held {[] if lengths is None else [int(n) for n in lengths]}: append each new token's key "
                f"and value")
    outs = as_numeric_array(got.get("decode_out"))
    if outs is None or outs.shape != want["decode_out"].shape:
        return compare_array("decoded outputs", outs, want["decode_out"])
    for t in range(length):
        if not matches(outs[:, t], want["decode_out"][:, t]):
            if t > 0 and matches(outs[:, t], variant({**inputs, "causal": True}, mask="strict")[:, t]):
                return ("the new token must also attend to ITSELF: append its key and value to the cache before "
                        "attending (its row should equal position t of the full causal attention)")
            problem = compare_array(f"out_t at position {t}", outs[:, t], want["decode_out"][:, t])
            return (f"decoding one token at a time from cache=None must reproduce the rows of the full causal "
                    f"attention; {problem}")
    for key in ("k", "v"):
        problem = compare_array(f"cache['{key}'] after {length} tokens", got.get(f"decode_{key}"),
                                want[f"decode_{key}"])
        if problem:
            return f"{problem} (it must hold x @ W{key} split into heads, shape (B, n_heads, t, d_head))"
    return None


def _check_given(inputs: dict, got: dict, want: dict) -> str | None:
    prompt = inputs["prompt_k"].shape[2]
    k = as_numeric_array(got.get("given_k"))
    if k is None or k.ndim != 4 or k.shape[2] != prompt + 1:
        held = "?" if k is None or k.ndim != 4 else k.shape[2]
        return (f"given a cache of {prompt} positions, the cache you return must hold {prompt + 1} (append the new "
                f"token's key and value); yours holds {held}")
    for key in ("k", "v"):
        value = as_numeric_array(got.get(f"given_{key}"))
        if value is not None and value.shape == want[f"given_{key}"].shape and \
                not matches(value[:, :, :prompt], inputs[f"prompt_{key}"]):
            what = "keys" if key == "k" else "values"
            return (f"the cached {what} of earlier tokens must be kept unchanged, with the new token's appended "
                    f"at the end (position t)")
    out = as_numeric_array(got.get("given_out"))
    if out is not None and out.shape == want["given_out"].shape and not matches(out, want["given_out"]):
        wrong = _given_step_variants(inputs)
        if matches(out, wrong["prompt_only"]):
            return "the new token must also attend to ITSELF: append its key and value before attending"
        if matches(out, wrong["new_only"]):
            return ("the new token must attend to every cached position, not only to itself: use the keys and "
                    "values in the cache you were given")
    for name in ("given_out", "given_k", "given_v"):
        problem = compare_array(name.replace("given_", "step on a given cache: "), got.get(name), want[name])
        if problem:
            return problem
    return None


def check_case(case: Case, got: dict) -> CaseCheck:
    inputs = case.inputs
    want = expected(inputs)
    problem = compare_array("mha_forward's out", got.get("out"), want["out"])
    if problem:
        return CaseCheck.fail(_diagnose_forward(inputs, got.get("out"), want["out"]) or problem)
    problem = _check_decode(inputs, got, want) or _check_given(inputs, got, want)
    if problem:
        return CaseCheck.fail(problem)
    return CaseCheck.ok("forward, token-by-token decoding and the given-cache step match")
