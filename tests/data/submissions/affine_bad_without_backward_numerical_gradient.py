# expect: timeout | finite differences (a forward pass per input entry) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which the in-process runner does not have
# Wrong on purpose: no backward pass, a central difference per entry (exact for a linear layer), re-evaluating
# only the entry's own row for dx (it matched every small case before the wide one existed).
import numpy as np


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1) @ w + b
    return out, (x.copy(), w.copy(), b.copy())


def _central(f, a, i):
    old = a[i]
    h = 1e-5 * max(1.0, abs(old))
    a[i] = old + h
    up = f()
    a[i] = old - h
    down = f()
    a[i] = old
    return (up - down) / (2 * h)


def affine_backward(dout, cache):
    x, w, b = cache
    rows = x.reshape(x.shape[0], -1).copy()
    dx = np.zeros_like(rows)
    for r in range(rows.shape[0]):
        row = rows[r:r + 1]
        for j in range(row.shape[1]):
            dx[r, j] = _central(lambda row=row, r=r: np.sum(affine_forward(row, w, b)[0] * dout[r]), row[0], j)
    wc, bc = w.copy(), b.copy()
    dw = np.zeros_like(wc)
    for i in np.ndindex(*wc.shape):
        dw[i] = _central(lambda: np.sum(affine_forward(rows, wc, bc)[0] * dout), wc, i)
    db = np.array([_central(lambda: np.sum(affine_forward(rows, wc, bc)[0] * dout), bc, j) for j in range(bc.size)])
    return dx.reshape(x.shape), dw, db
