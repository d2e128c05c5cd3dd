import numpy as np  # noqa: F401


def sgd_momentum(w, dw, state, lr, momentum=0.9, nesterov=False):
    """PyTorch form: v = momentum * v + dw; w -= lr * v. state is {} on the first call.

    Return (next_w, state).
    """
    raise NotImplementedError
