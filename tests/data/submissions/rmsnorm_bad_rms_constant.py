# expect: failed | dx treats rms as a constant
import numpy as np


def rmsnorm_forward(x, gamma, eps=1e-6):
    rms = np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    return gamma * x / rms, (x, gamma, rms)


def rmsnorm_backward(dout, cache):
    x, gamma, rms = cache
    return dout * gamma / rms, np.sum(dout * x / rms, axis=tuple(range(x.ndim - 1)))
