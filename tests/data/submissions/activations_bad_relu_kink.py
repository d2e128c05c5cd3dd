# expect: failed | dx is wrong only where x == 0: PyTorch takes relu'(0) = 0
import numpy as np


def activation_forward(x, kind, slope=0.01):
    if kind == "relu":
        out = np.maximum(x, 0.0)
    elif kind == "leaky_relu":
        out = np.where(x > 0, x, slope * x)
    elif kind == "sigmoid":
        e = np.exp(-np.abs(x))
        out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    else:
        out = np.tanh(x)
    return out, (x, out, kind, slope)


def activation_backward(dout, cache):
    x, out, kind, slope = cache
    if kind == "relu":
        return dout * (x >= 0)
    if kind == "leaky_relu":
        return dout * np.where(x >= 0, 1.0, slope)
    if kind == "sigmoid":
        return dout * out * (1.0 - out)
    return dout * (1.0 - out**2)
