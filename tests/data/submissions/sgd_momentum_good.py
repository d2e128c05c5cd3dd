import numpy as np


def sgd_momentum(w, dw, state, lr, momentum=0.9, nesterov=False):
    v = momentum * state.get("v", np.zeros_like(w)) + dw
    step = dw + momentum * v if nesterov else v
    return w - lr * step, {"v": v}
