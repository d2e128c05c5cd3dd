# expect: failed | sgd_update must step AGAINST the gradient
import numpy as np


def mlp_forward(X, params):
    pre = X @ params["W1"] + params["b1"]
    h = np.maximum(pre, 0.0)
    return h @ params["W2"] + params["b2"], (X, params, pre, h)


def mlp_backward(dscores, cache):
    X, params, pre, h = cache
    dpre = (dscores @ params["W2"].T) * (pre > 0)
    return {"W1": X.T @ dpre, "b1": dpre.sum(axis=0), "W2": h.T @ dscores, "b2": dscores.sum(axis=0)}


def sgd_update(params, grads, lr):
    return {name: params[name] + lr * grads[name] for name in params}
