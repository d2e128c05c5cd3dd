# expect: timeout | finite differences (forward passes per input entry) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which the in-process runner does not have
# Wrong on purpose: no backward pass, a fourth-order central difference per entry, re-evaluating only the
# entry's own row (accurate to ~1e-10: it matched every small case before the model-sized one existed).
import numpy as np


def rmsnorm_forward(x, gamma, eps=1e-6):
    out = gamma * x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps)
    return out, (x.copy(), gamma.copy(), eps)


def _central(f, a, i):
    old = a[i]
    h = 1e-4 * max(1.0, abs(old))
    vals = []
    for k in (2, 1, -1, -2):
        a[i] = old + k * h
        vals.append(f())
    a[i] = old
    return (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)


def rmsnorm_backward(dout, cache):
    x, gamma, eps = cache
    rows, d_rows = x.reshape(-1, x.shape[-1]), dout.reshape(-1, x.shape[-1])
    dx = np.zeros_like(rows)
    for r in range(rows.shape[0]):
        row = rows[r:r + 1].copy()
        for j in range(row.shape[1]):
            dx[r, j] = _central(lambda row=row, r=r: np.sum(rmsnorm_forward(row, gamma, eps)[0] * d_rows[r]), row[0], j)
    g = gamma.copy()
    dgamma = np.array([_central(lambda: np.sum(rmsnorm_forward(x, g, eps)[0] * dout), g, j) for j in range(g.size)])
    return dx.reshape(x.shape), dgamma
