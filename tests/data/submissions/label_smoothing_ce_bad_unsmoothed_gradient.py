# expect: failed | dlogits ignores the smoothing
import numpy as np


def label_smoothing_cross_entropy(logits, y, smoothing):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    nll = -log_probs[np.arange(n), y]
    loss = ((1 - smoothing) * nll - smoothing * log_probs.mean(axis=1)).mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(n), y] -= 1.0
    return float(loss), dlogits / n
