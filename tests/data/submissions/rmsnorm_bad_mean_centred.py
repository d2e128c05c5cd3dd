# expect: failed | RMSNorm does not subtract the mean
import numpy as np


def rmsnorm_forward(x, gamma, eps=1e-6):
    xc = x - x.mean(axis=-1, keepdims=True)
    inv_rms = 1.0 / np.sqrt(np.mean(xc * xc, axis=-1, keepdims=True) + eps)
    return gamma * xc * inv_rms, (xc, gamma, inv_rms)


def rmsnorm_backward(dout, cache):
    xc, gamma, inv_rms = cache
    d = xc.shape[-1]
    g = dout * gamma
    dx = inv_rms * g - xc * inv_rms**3 * np.sum(g * xc, axis=-1, keepdims=True) / d
    return dx, np.sum(dout * xc * inv_rms, axis=tuple(range(xc.ndim - 1)))
