# expect: failed | must reuse the forward pass's mask
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train or p == 0:
        return x.copy(), (p, train, rng)
    if p == 1:
        return np.zeros_like(x), (p, train, rng)
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), (p, train, rng)


def dropout_backward(dout, cache):
    p, train, rng = cache
    if not train or p == 0:
        return dout
    if p == 1:
        return np.zeros_like(dout)
    mask = rng.random(dout.shape) >= p  # a fresh mask: the classic bug
    return dout * mask / (1 - p)
