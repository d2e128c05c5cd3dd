import numpy as np  # noqa: F401


def mlp_forward(X, params):
    """h = relu(X @ W1 + b1); scores = h @ W2 + b2, for the whole batch at once. Return (scores, cache)."""
    raise NotImplementedError


def mlp_backward(dscores, cache):
    """dscores (N, C) is dLoss/dscores. Return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}."""
    raise NotImplementedError


def sgd_update(params, grads, lr):
    """Return {name: params[name] - lr * grads[name]}."""
    raise NotImplementedError
