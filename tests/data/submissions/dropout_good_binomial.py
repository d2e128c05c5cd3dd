# A different way to draw the mask (numpy's global RNG, binomial keep-draws): must pass as well.
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x, None
    keep = np.random.binomial(1, 1 - p, size=x.shape).astype(bool)
    out = np.where(keep, x / (1 - p) if p < 1 else 0.0, 0.0)
    return out, (keep, p)


def dropout_backward(dout, cache):
    if cache is None:
        return dout
    keep, p = cache
    return np.where(keep, dout / (1 - p) if p < 1 else 0.0, 0.0)
