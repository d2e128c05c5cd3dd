# expect: failed | modified x in place
import numpy as np


def activation_forward(x, kind, slope=0.01):
    mask = x > 0
    if kind == "relu":
        x[~mask] = 0.0
        return x, mask
    if kind == "leaky_relu":
        x[~mask] *= slope
        return x, (mask, slope)
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)) if kind == "sigmoid" else np.tanh(x)
    return out, (out, kind)


def activation_backward(dout, cache):
    if isinstance(cache, np.ndarray):
        return dout * cache
    if isinstance(cache[1], float):
        mask, slope = cache
        return dout * np.where(mask, 1.0, slope)
    out, kind = cache
    return dout * out * (1.0 - out) if kind == "sigmoid" else dout * (1.0 - out**2)
