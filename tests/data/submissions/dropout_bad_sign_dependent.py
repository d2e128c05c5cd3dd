# expect: failed | depends on their value (sign) x
# Gaming: drops mostly negative elements, keeping the overall rate near p.
import numpy as np


def dropout_forward(x, p, train, rng):
    if not train:
        return x.copy(), (None, p)
    if p >= 1:
        return np.zeros_like(x), (np.zeros(x.shape, bool), p)
    shift = 0.5 * min(p, 1 - p)
    prob = np.where(x < 0, p + shift, p - shift)
    mask = rng.random(x.shape) >= prob
    return x * mask / (1 - p), (mask, p)


def dropout_backward(dout, cache):
    mask, p = cache
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p) if p < 1 else np.zeros_like(dout)
