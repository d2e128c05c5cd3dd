# expect: failed | depends on their magnitude |x|
# Gaming: random, at the right overall rate, but small |x| is dropped more often than large |x|.
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x.copy(), (None, p)
    if p >= 1:
        return np.zeros_like(x), (np.zeros(x.shape, bool), p)
    rank = np.argsort(np.argsort(np.abs(x), axis=None)).reshape(x.shape) / max(1, x.size - 1)
    prob = p + (0.5 - rank) * 2 * min(p, 1 - p)
    mask = rng.random(x.shape) >= prob
    return x * mask / (1 - p), (mask, p)


def dropout_backward(dout, cache):
    mask, p = cache
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p) if p < 1 else np.zeros_like(dout)
