# expect: failed | loss is
# Wrong on purpose: KL(q || p) instead of the cross-entropy: same gradient, loss short by H(q).
import numpy as np


def label_smoothing_cross_entropy(logits, y, smoothing):
    n, c = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    q = np.full((n, c), smoothing / c)
    q[np.arange(n), y] += 1.0 - smoothing
    loss = (q * (np.log(np.where(q > 0, q, 1)) - log_probs)).sum() / n
    return float(loss), (np.exp(log_probs) - q) / n
