# expect: timeout | finite differences (forward passes per input entry) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which the in-process runner does not have
# Wrong on purpose: no backward pass, a fourth-order central difference per entry, re-evaluating only the
# entry's own feature column on a scratch copy of the state (it matched every small case before the
# batch-sized one existed).
import numpy as np


def batchnorm_forward(x, gamma, beta, state, train, momentum=0.1, eps=1e-5):
    before = {k: np.array(v, dtype=float) for k, v in state.items()}
    if train:
        n = x.shape[0]
        mean, var = x.mean(axis=0), x.var(axis=0)
        state["running_mean"] = (1 - momentum) * state["running_mean"] + momentum * mean
        state["running_var"] = (1 - momentum) * state["running_var"] + momentum * var * n / (n - 1)
    else:
        mean, var = state["running_mean"], state["running_var"]
    out = gamma * (x - mean) / np.sqrt(var + eps) + beta
    return out, (x.copy(), gamma.copy(), beta.copy(), before, train, momentum, eps)


def _central(f, a, i):
    old = a[i]
    h = 1e-4 * max(1.0, abs(old))
    vals = []
    for k in (2, 1, -1, -2):
        a[i] = old + k * h
        vals.append(f())
    a[i] = old
    return (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)


def batchnorm_backward(dout, cache):
    x, gamma, beta, state, train, momentum, eps = cache

    def column_loss(col, c):
        scratch = {k: v[c:c + 1].copy() for k, v in state.items()}
        out = batchnorm_forward(col, gamma[c:c + 1], beta[c:c + 1], scratch, train, momentum, eps)[0]
        return np.sum(out * dout[:, c:c + 1])

    dx = np.zeros_like(x)
    for c in range(x.shape[1]):
        col = x[:, c:c + 1].copy()
        for r in range(x.shape[0]):
            dx[r, c] = _central(lambda col=col, c=c: column_loss(col, c), col[:, 0], r)
    g, b = gamma.copy(), beta.copy()

    def loss():
        scratch = {k: v.copy() for k, v in state.items()}
        return np.sum(batchnorm_forward(x, g, b, scratch, train, momentum, eps)[0] * dout)

    dgamma = np.array([_central(loss, g, j) for j in range(g.size)])
    dbeta = np.array([_central(loss, b, j) for j in range(b.size)])
    return dx, dgamma, dbeta
