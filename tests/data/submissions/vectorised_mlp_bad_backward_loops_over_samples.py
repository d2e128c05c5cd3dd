# expect: failed | your mlp_backward took
# sandbox-only: timed against the reference; BLAS is single-threaded only inside the sandbox
import numpy as np


def mlp_forward(X, params):
    pre = X @ params["W1"] + params["b1"]
    h = np.maximum(pre, 0.0)
    return h @ params["W2"] + params["b2"], (X, params, pre, h)


def mlp_backward(dscores, cache):
    X, params, pre, h = cache
    grads = {name: np.zeros_like(value) for name, value in params.items()}
    for i in range(X.shape[0]):  # accumulate per-sample outer products
        grads["W2"] += np.outer(h[i], dscores[i])
        grads["b2"] += dscores[i]
        dpre = (params["W2"] @ dscores[i]) * (pre[i] > 0)
        grads["W1"] += np.outer(X[i], dpre)
        grads["b1"] += dpre
    return grads


def sgd_update(params, grads, lr):
    return {name: params[name] - lr * grads[name] for name in params}
