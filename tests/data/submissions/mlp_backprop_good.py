import numpy as np


def mlp_forward_backward(X, y, W1, b1, W2, b2):
    n = X.shape[0]
    pre = X @ W1 + b1
    h = np.maximum(pre, 0.0)
    scores = h @ W2 + b2
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    dscores = np.exp(log_probs)
    dscores[np.arange(n), y] -= 1.0
    dscores /= n
    dW2 = h.T @ dscores
    db2 = dscores.sum(axis=0)
    dh = dscores @ W2.T
    dpre = dh * (pre > 0)
    dW1 = X.T @ dpre
    db1 = dpre.sum(axis=0)
    return float(loss), {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
