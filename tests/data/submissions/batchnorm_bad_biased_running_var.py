# expect: failed | running_var must use the UNBIASED batch variance
import numpy as np


def batchnorm_forward(x, gamma, beta, state, train, momentum=0.1, eps=1e-5):
    if train:
        mean, var = x.mean(axis=0), x.var(axis=0)
        state["running_mean"] = (1 - momentum) * state["running_mean"] + momentum * mean
        state["running_var"] = (1 - momentum) * state["running_var"] + momentum * var
    else:
        mean, var = state["running_mean"], state["running_var"]
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean) * inv_std
    return gamma * xhat + beta, (xhat, inv_std, gamma, train)


def batchnorm_backward(dout, cache):
    xhat, inv_std, gamma, train = cache
    dxhat = dout * gamma
    n = dout.shape[0]
    dx = dxhat * inv_std if not train else inv_std / n * (
        n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)
