# expect: failed | loss is the SUM over the batch
import numpy as np


def mlp_forward_backward(X, y, W1, b1, W2, b2):
    n = X.shape[0]
    pre = X @ W1 + b1
    h = np.maximum(pre, 0.0)
    scores = h @ W2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).sum()
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1.0
    dh = dscores @ W2.T
    dpre = dh * (pre > 0)
    return loss, {"W1": X.T @ dpre, "b1": dpre.sum(0), "W2": h.T @ dscores, "b2": dscores.sum(0)}
