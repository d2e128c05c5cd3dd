# expect: failed | cache['k'] after
# Wrong on purpose: puts the new key/value first in the cache (attention is unchanged, the cache order is not).
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
    x = x_t[:, None, :]
    q, k, v = _split(x @ Wq, n_heads), _split(x @ Wk, n_heads), _split(x @ Wv, n_heads)
    if cache is not None:
        k = np.concatenate([k, cache["k"]], axis=2)
        v = np.concatenate([v, cache["v"]], axis=2)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
    out = _merge(_softmax(scores) @ v) @ Wo
    return out[:, 0, :], {"k": k, "v": v}
