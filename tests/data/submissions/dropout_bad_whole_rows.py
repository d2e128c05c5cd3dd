# expect: failed | drops whole rows or blocks together
# Gaming: drops whole rows at random, with the exact expected count of elements.
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x.copy(), (None, p)
    if p >= 1:
        return np.zeros_like(x), (np.zeros(x.shape, bool), p)
    rows = x.reshape(-1, x.shape[-1])
    dropped_rows = rng.permutation(rows.shape[0])[: round(p * rows.shape[0])]
    mask = np.ones(rows.shape, bool)
    mask[dropped_rows] = False
    mask = mask.reshape(x.shape)
    return x * mask / (1 - p), (mask, p)


def dropout_backward(dout, cache):
    mask, p = cache
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p) if p < 1 else np.zeros_like(dout)
