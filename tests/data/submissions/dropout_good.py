import numpy as np


def dropout_forward(x, p, train, rng):
    if not 0 <= p <= 1:
        raise ValueError("p must be in [0, 1]")
    if not train:
        return x.copy(), (None, p, False)
    if p == 1:
        mask = np.zeros(x.shape, dtype=bool)
        return np.zeros_like(x), (mask, p, True)
    mask = rng.random(x.shape) >= p
    return x * mask / (1 - p), (mask, p, True)


def dropout_backward(dout, cache):
    mask, p, train = cache
    if not train:
        return dout.copy()
    if p == 1:
        return np.zeros_like(dout)
    return dout * mask / (1 - p)
