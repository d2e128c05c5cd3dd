# expect: failed | two calls dropped exactly the same elements
# Gaming: ignores rng and seeds its own generator, so every call draws the same mask.
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x.copy(), (None, p)
    if p >= 1:
        return np.zeros_like(x), (np.zeros(x.shape, bool), p)
    mask = np.random.default_rng(0).random(x.shape) >= p
    return x * mask / (1 - p), (mask, p)


def dropout_backward(dout, cache):
    mask, p = cache
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p) if p < 1 else np.zeros_like(dout)
