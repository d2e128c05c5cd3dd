# expect: failed | never recompute earlier tokens
import numpy as np


def _softmax(scores):
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _split(t, n_heads):
    b, length, d = t.shape
    return t.reshape(b, length, n_heads, d // n_heads).transpose(0, 2, 1, 3)


def _merge(t):
    b, h, length, dh = t.shape
    return t.transpose(0, 2, 1, 3).reshape(b, length, h * dh)


def mha_forward(x, Wq, Wk, Wv, Wo, n_heads, causal):
    q, k, v = _split(x @ Wq, n_heads), _split(x @ Wk, n_heads), _split(x @ Wv, n_heads)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
    if causal:
        length = x.shape[1]
        scores = np.where(np.tril(np.ones((length, length), dtype=bool)), scores, -np.inf)
    return _merge(_softmax(scores) @ v) @ Wo


def mha_decode_step(x_t, Wq, Wk, Wv, Wo, n_heads, cache):
    # keeps every input token and recomputes all keys and values at each step
    xs = x_t[:, None, :] if cache is None else np.concatenate([cache["x"], x_t[:, None, :]], axis=1)
    out = mha_forward(xs, Wq, Wk, Wv, Wo, n_heads, causal=True)
    k, v = _split(xs @ Wk, n_heads), _split(xs @ Wv, n_heads)
    return out[:, -1, :], {"k": k, "v": v, "x": xs}
