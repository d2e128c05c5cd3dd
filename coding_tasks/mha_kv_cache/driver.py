# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821
import numpy as np


def _weights(case):
    return [case[w].copy() for w in ("Wq", "Wk", "Wv", "Wo")]


def _cache_arrays(cache, expected_length, shape):
    b, n_heads, dh = shape
    if not isinstance(cache, dict) or "k" not in cache or "v" not in cache:
        raise BadReturn(f"mha_decode_step must return (out_t, cache) with cache a dict with keys 'k' and 'v'; "
                        f"the cache is {_type_name(cache)}")
    arrays = []
    for key in ("k", "v"):
        value = _array(cache[key], f"cache['{key}']")
        want = (b, n_heads, expected_length, dh)
        if not isinstance(value, np.ndarray) or value.ndim != 4 or value.shape[:2] != want[:2] or \
                value.shape[3] != dh:
            got = value.shape if isinstance(value, np.ndarray) else _type_name(value)
            raise BadReturn(f"cache['{key}'] must have shape (B, n_heads, t, d_head) = {want}; it has {got}")
        arrays.append(value.copy())
    return arrays


def _step(step, x_t, case, cache, expected_length):
    result = _tuple(step(x_t, *_weights(case), case["n_heads"], cache), 2, "mha_decode_step", "(out_t, cache)")
    out_t, new_cache = result
    out_t = _array(out_t, "mha_decode_step's out_t")
    b, d = x_t.shape
    if not isinstance(out_t, np.ndarray) or out_t.shape != (b, d):
        got = out_t.shape if isinstance(out_t, np.ndarray) else _type_name(out_t)
        raise BadReturn(f"mha_decode_step's out_t must have shape (B, D) = {(b, d)}; it has {got}")
    shape = (b, case["n_heads"], d // case["n_heads"])
    k, v = _cache_arrays(new_cache, expected_length, shape)
    return np.asarray(out_t).copy(), new_cache, k, v


def run_case(module, case):
    forward = _fn(module, "mha_forward")
    step = _fn(module, "mha_decode_step")
    x = case["x"]
    out = _array(forward(x.copy(), *_weights(case), case["n_heads"], case["causal"]), "mha_forward's out")
    result = {"out": out}

    cache, outs, lengths = None, [], []
    for t in range(x.shape[1]):
        out_t, cache, k, v = _step(step, x[:, t, :].copy(), case, cache, t + 1)
        outs.append(out_t)
        lengths.append(k.shape[2])
    result.update(decode_out=np.stack(outs, axis=1), decode_k=k, decode_v=v, decode_lengths=np.array(lengths))

    given = {"k": case["prompt_k"].copy(), "v": case["prompt_v"].copy()}
    try:
        out_t, _, k, v = _step(step, case["x_new"].copy(), case, given, case["prompt_k"].shape[2] + 1)
    except KeyError as exc:
        raise BadReturn(f"mha_decode_step failed (KeyError {exc}) on a cache holding only 'k' and 'v' for a prompt "
                        f"it never saw: keep nothing else in the cache, and never recompute earlier tokens") from None
    result.update(given_out=out_t, given_k=k, given_v=v)
    return result
