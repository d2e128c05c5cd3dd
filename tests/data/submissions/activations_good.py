import numpy as np


def activation_forward(x, kind, slope=0.01):
    if kind == "relu":
        out = np.maximum(x, 0.0)
    elif kind == "leaky_relu":
        out = np.where(x > 0, x, slope * x)
    elif kind == "sigmoid":
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    elif kind == "tanh":
        out = np.tanh(x)
    else:
        raise ValueError(f"unknown activation {kind!r}")
    return out, (x, out, kind, slope)


def activation_backward(dout, cache):
    x, out, kind, slope = cache
    if kind == "relu":
        return dout * (x > 0)
    if kind == "leaky_relu":
        return dout * np.where(x < 0, slope, 1.0) * np.where(x == 0, slope, 1.0)
    if kind == "sigmoid":
        return dout * out * (1.0 - out)
    return dout * (1.0 - out**2)
