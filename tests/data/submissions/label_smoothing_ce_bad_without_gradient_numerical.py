# expect: timeout | finite differences (a loss per logit) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which the in-process runner does not have
# Wrong on purpose: no gradient derived, a fourth-order central difference per logit on its own row
# (accurate to ~1e-10: it matched every small case before the vocabulary-sized one existed).
import numpy as np


def _loss(logits, y, smoothing):
    n, c = logits.shape
    s = logits - logits.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    q = np.full((n, c), smoothing / c)
    q[np.arange(n), y] += 1.0 - smoothing
    return -(q * logp).sum() / n


def label_smoothing_cross_entropy(logits, y, smoothing):
    """No derivation: a central difference per logit, re-evaluating only that logit's row."""
    n, c = logits.shape
    g = np.zeros_like(logits)
    for i in range(n):
        row, yi = logits[i:i + 1].copy(), y[i:i + 1]
        for j in range(c):
            old = row[0, j]
            h = 1e-4 * max(1.0, abs(old))
            vals = []
            for k in (2, 1, -1, -2):
                row[0, j] = old + k * h
                vals.append(_loss(row, yi, smoothing))
            row[0, j] = old
            g[i, j] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * h) / n
    return float(_loss(logits, y, smoothing)), g
