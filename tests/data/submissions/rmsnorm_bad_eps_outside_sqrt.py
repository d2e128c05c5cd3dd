# expect: failed | eps goes INSIDE the square root
import numpy as np


def rmsnorm_forward(x, gamma, eps=1e-6):
    rms = np.sqrt(np.mean(x * x, axis=-1, keepdims=True)) + eps
    return gamma * x / rms, (x, gamma, rms)


def rmsnorm_backward(dout, cache):
    x, gamma, rms = cache
    d = x.shape[-1]
    g = dout * gamma
    dx = g / rms - x * np.sum(g * x, axis=-1, keepdims=True) / (d * rms**3)
    return dx, np.sum(dout * x / rms, axis=tuple(range(x.ndim - 1)))
