# expect: timeout | finite differences (forward passes per input entry) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which the in-process runner does not have
# Wrong on purpose: no backward pass, a fourth-order central difference per entry, re-evaluating only the
# entry's own row (accurate to ~1e-10: it matched every small case before the model-sized one existed).
import numpy as np


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=1, keepdims=True)
    out = gamma * (x - mean) / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta
    return out, (x.copy(), gamma.copy(), beta.copy(), eps)


def _central(f, a, i):
    old = a[i]
    h = 1e-4 * max(1.0, abs(old))
    vals = []
    for k in (2, 1, -1, -2):
        a[i] = old + k * h
        vals.append(f())
    a[i] = old
    return (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)


def layernorm_backward(dout, cache):
    x, gamma, beta, eps = cache
    dx = np.zeros_like(x)
    for r in range(x.shape[0]):
        row = x[r:r + 1].copy()
        for j in range(row.shape[1]):
            dx[r, j] = _central(lambda row=row, r=r: np.sum(layernorm_forward(row, gamma, beta, eps)[0] * dout[r]),
                                row[0], j)
    g, b = gamma.copy(), beta.copy()
    loss = lambda: np.sum(layernorm_forward(x, g, b, eps)[0] * dout)  # noqa: E731
    dgamma = np.array([_central(loss, g, j) for j in range(g.size)])
    dbeta = np.array([_central(loss, b, j) for j in range(b.size)])
    return dx, dgamma, dbeta
