# expect: failed | out is off
# Wrong on purpose: one RMS over the whole array instead of per row.
import numpy as np


def rmsnorm_forward(x, gamma, eps=1e-6):
    inv_rms = 1.0 / np.sqrt(np.mean(x * x) + eps)
    return gamma * x * inv_rms, (x, gamma, inv_rms)


def rmsnorm_backward(dout, cache):
    x, gamma, inv_rms = cache
    g = dout * gamma
    dx = inv_rms * g - x * inv_rms**3 * np.sum(g * x) / x.size
    dgamma = np.sum(dout * x * inv_rms, axis=tuple(range(x.ndim - 1)))
    return dx, dgamma
