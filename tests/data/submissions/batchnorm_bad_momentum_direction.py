# expect: failed | momentum is the weight of the NEW batch statistic
import numpy as np


def batchnorm_forward(x, gamma, beta, state, train, momentum=0.1, eps=1e-5):
    if train:
        n = x.shape[0]
        mean, var = x.mean(axis=0), x.var(axis=0)
        # CS231n's convention: momentum weights the OLD running value
        state["running_mean"] = momentum * state["running_mean"] + (1 - momentum) * mean
        state["running_var"] = momentum * state["running_var"] + (1 - momentum) * var * n / (n - 1)
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
