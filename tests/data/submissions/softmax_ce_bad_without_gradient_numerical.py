# expect: timeout | finite differences (a loss per logit) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which the in-process runner does not have
# Wrong on purpose: no gradient derivation, a central difference per logit that re-evaluates only the logit's
# own row (it matched every small case before the vocabulary-sized one existed).
import numpy as np


def _row_loss(row, label):
    m = row.max()
    return np.log(np.sum(np.exp(row - m))) + m - row[label]


def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    loss = float(np.mean([_row_loss(logits[r], y[r]) for r in range(n)]))
    grad = np.zeros_like(logits)
    for r in range(n):
        row = logits[r].copy()
        for j in range(row.size):
            old = row[j]
            if not np.isfinite(old):
                continue  # a masked class: no probability, no gradient
            h = 1e-5 * max(1.0, abs(old))
            row[j] = old + h
            up = _row_loss(row, y[r])
            row[j] = old - h
            down = _row_loss(row, y[r])
            row[j] = old
            grad[r, j] = (up - down) / (2 * h) / n
    return loss, grad
