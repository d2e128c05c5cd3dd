# expect: failed | each element must be dropped with probability exactly p
# Wrong: drops with probability p + 0.015 (a small, consistent bias).
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x.copy(), (None, p)
    if p >= 1:
        return np.zeros_like(x), (np.zeros(x.shape, bool), p)
    mask = rng.random(x.shape) >= min(1.0, p + 0.015) if p > 0 else np.ones(x.shape, bool)
    return x * mask / (1 - p), (mask, p)


def dropout_backward(dout, cache):
    mask, p = cache
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p) if p < 1 else np.zeros_like(dout)
