# expect: failed | 0 * -inf is NaN
import numpy as np


def softmax_cross_entropy(logits, y):
    n, c = logits.shape
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    onehot = np.eye(c)[y]
    loss = -(onehot * log_probs).sum() / n
    return loss, (np.exp(log_probs) - onehot) / n
