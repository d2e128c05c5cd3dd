# expect: failed | do not divide by 1-p when p == 1
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, None
    mask = rng.random(x.shape) >= p
    with np.errstate(invalid="ignore", divide="ignore"):
        return x * mask / (1 - p), (mask, p)


def dropout_backward(dout, cache):
    if cache is None:
        return dout
    mask, p = cache
    with np.errstate(invalid="ignore", divide="ignore"):
        return dout * mask / (1 - p)
