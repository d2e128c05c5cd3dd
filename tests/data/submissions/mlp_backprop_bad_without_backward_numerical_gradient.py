# expect: timeout | finite differences (one or two forward passes per weight) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which this in-process runner does not have
# Wrong on purpose: no backward pass at all, a fourth-order central difference per weight (accurate
# to ~1e-10, so it matched every small case before the wide case existed).
import numpy as np


def _loss(X, y, W1, b1, W2, b2):
    h = np.maximum(X @ W1 + b1, 0.0)
    s = h @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()


def mlp_forward_backward(X, y, W1, b1, W2, b2):
    """No backward pass at all: central finite differences on every parameter entry."""
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        flat, gflat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            old = flat[i]
            h = 1e-4 * max(1.0, abs(old))
            vals = []
            for k in (2, 1, -1, -2):
                flat[i] = old + k * h
                vals.append(_loss(X, y, **params))
            flat[i] = old
            gflat[i] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h)
        grads[name] = g
    return float(_loss(X, y, **params)), grads
