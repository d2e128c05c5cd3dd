# expect: failed | every call drops exactly p * n elements
# Wrong: drops exactly round(p * n) elements at random positions, not each one independently.
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x.copy(), (None, p)
    if p >= 1:
        return np.zeros_like(x), (np.zeros(x.shape, bool), p)
    mask = np.ones(x.size, bool)
    mask[rng.permutation(x.size)[: round(p * x.size)]] = False
    mask = mask.reshape(x.shape)
    return x * mask / (1 - p), (mask, p)


def dropout_backward(dout, cache):
    mask, p = cache
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p) if p < 1 else np.zeros_like(dout)
