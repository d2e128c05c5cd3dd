# expect: failed | you folded lr into the velocity
import numpy as np


def sgd_momentum(w, dw, state, lr, momentum=0.9, nesterov=False):
    v = momentum * state.get("v", np.zeros_like(w)) - lr * dw  # CS231n's form
    if nesterov:
        return w + momentum * v - lr * dw, {"v": v}
    return w + v, {"v": v}
