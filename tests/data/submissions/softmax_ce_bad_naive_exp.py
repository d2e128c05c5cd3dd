# expect: failed | for logits around 1000: subtract the row max before exp
import numpy as np


def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    exp = np.exp(logits)
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).mean()
    dlogits = probs.copy()
    dlogits[np.arange(n), y] -= 1.0
    return loss, dlogits / n
