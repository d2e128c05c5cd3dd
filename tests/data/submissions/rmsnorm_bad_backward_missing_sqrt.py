# expect: failed | it should be D * rms**3
import numpy as np


def rmsnorm_forward(x, gamma, eps=1e-6):
    ms = np.mean(x * x, axis=-1, keepdims=True) + eps
    return gamma * x / np.sqrt(ms), (x, gamma, ms)


def rmsnorm_backward(dout, cache):
    x, gamma, ms = cache
    d = x.shape[-1]
    rms = np.sqrt(ms)
    g = dout * gamma
    # d(ms)/dx = 2x/D, but the chain rule through the square root was dropped: ms where rms**3 belongs
    dx = g / rms - x * np.sum(g * x, axis=-1, keepdims=True) / (d * ms)
    return dx, np.sum(dout * x / rms, axis=tuple(range(x.ndim - 1)))
