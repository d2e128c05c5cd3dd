import numpy as np


def mlp_forward(X, params):
    pre = np.einsum("nd,dh->nh", X, params["W1"]) + params["b1"]
    h = np.where(pre > 0, pre, 0.0)
    return np.einsum("nh,hc->nc", h, params["W2"]) + params["b2"], {"X": X, "pre": pre, "h": h, "W2": params["W2"]}


def mlp_backward(dscores, cache):
    dpre = np.einsum("nc,hc->nh", dscores, cache["W2"]) * (cache["pre"] > 0)
    return {"W1": np.einsum("nd,nh->dh", cache["X"], dpre), "b1": np.einsum("nh->h", dpre),
            "W2": np.einsum("nh,nc->hc", cache["h"], dscores), "b2": np.einsum("nc->c", dscores)}


def sgd_update(params, grads, lr):
    for name in params:  # in place
        params[name] -= lr * grads[name]
    return params
