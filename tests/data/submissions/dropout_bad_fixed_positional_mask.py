# expect: failed | two calls dropped exactly the same elements
# Gaming: the same positions are dropped on every call (a fixed pattern with the right rate).
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x.copy(), (None, p)
    if p >= 1:
        return np.zeros_like(x), (np.zeros(x.shape, bool), p)
    mask = (np.arange(x.size).reshape(x.shape) * 0.6180339887 % 1.0) >= p
    return x * mask / (1 - p), (mask, p)


def dropout_backward(dout, cache):
    mask, p = cache
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p) if p < 1 else np.zeros_like(dout)
