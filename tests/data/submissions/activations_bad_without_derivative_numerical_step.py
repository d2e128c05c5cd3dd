# expect: failed | Case 'leaky_relu_near_kink'
# Wrong on purpose: no derivative, a vectorised second-order backward difference with a step of 1e-5 (one-sided,
# so it matched the exact zeros at the kinks and every other case; a step larger than |x| straddles the kink).
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
    return out, (x.copy(), kind, slope)


def activation_backward(dout, cache):
    x, kind, slope = cache
    h = 1e-5 * np.maximum(1.0, np.abs(x))
    f = lambda v: activation_forward(v, kind, slope)[0]  # noqa: E731
    return dout * (3 * f(x) - 4 * f(x - h) + f(x - 2 * h)) / (2 * h)
