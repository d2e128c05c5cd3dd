# expect: failed | Use a stable log-softmax
import numpy as np


def label_smoothing_cross_entropy(logits, y, smoothing):
    n, c = logits.shape
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    q = np.full((n, c), smoothing / c)
    q[np.arange(n), y] += 1.0 - smoothing
    return float(-(q * np.log(probs)).sum() / n), (probs - q) / n
