# expect: failed | your mlp_forward took
# sandbox-only: timed against the reference; BLAS is single-threaded only inside the sandbox
import numpy as np


def mlp_forward(X, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    # one row at a time: the leanest possible per-sample loop, still far from BLAS
    scores = np.array([np.maximum(x @ W1 + b1, 0.0) @ W2 + b2 for x in X])
    return scores, (X, params)


def mlp_backward(dscores, cache):
    X, params = cache
    pre = X @ params["W1"] + params["b1"]
    h = np.maximum(pre, 0.0)
    dpre = (dscores @ params["W2"].T) * (pre > 0)
    return {"W1": X.T @ dpre, "b1": dpre.sum(axis=0), "W2": h.T @ dscores, "b2": dscores.sum(axis=0)}


def sgd_update(params, grads, lr):
    return {name: params[name] - lr * grads[name] for name in params}
