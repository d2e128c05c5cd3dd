# expect: failed | your mlp_forward took
# sandbox-only: timed against the reference; BLAS is single-threaded only inside the sandbox
import numpy as np


def mlp_forward(X, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    scores, pres, hs = [], [], []
    for x in X:  # one sample at a time
        pre = x @ W1 + b1
        h = np.maximum(pre, 0.0)
        pres.append(pre)
        hs.append(h)
        scores.append(h @ W2 + b2)
    return np.array(scores), (X, params, np.array(pres), np.array(hs))


def mlp_backward(dscores, cache):
    X, params, pre, h = cache
    dpre = (dscores @ params["W2"].T) * (pre > 0)
    return {"W1": X.T @ dpre, "b1": dpre.sum(axis=0), "W2": h.T @ dscores, "b2": dscores.sum(axis=0)}


def sgd_update(params, grads, lr):
    return {name: params[name] - lr * grads[name] for name in params}
