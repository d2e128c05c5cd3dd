# expect: failed | eval mode must return x unchanged; yours zeroed
import numpy as np


def dropout_forward(x, p, train, rng):
    if p == 1:
        return np.zeros_like(x), np.zeros(x.shape)
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask


def dropout_backward(dout, cache):
    return dout * cache
