# expect: failed | exp overflows. Subtract each row's max score before exp
import numpy as np


def mlp_forward_backward(X, y, W1, b1, W2, b2):
    n = X.shape[0]
    pre = X @ W1 + b1
    h = np.maximum(pre, 0.0)
    scores = h @ W2 + b2
    exp = np.exp(scores)  # overflows for large scores
    probs = exp / exp.sum(axis=1, keepdims=True)
    loss = -np.log(probs[np.arange(n), y]).mean()
    dscores = probs.copy()
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    dh = dscores @ W2.T
    dpre = dh * (pre > 0)
    return loss, {"W1": X.T @ dpre, "b1": dpre.sum(0), "W2": h.T @ dscores, "b2": dscores.sum(0)}
