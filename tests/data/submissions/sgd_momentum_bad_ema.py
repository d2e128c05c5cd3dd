# expect: failed | without a (1 - momentum) factor
import numpy as np


def sgd_momentum(w, dw, state, lr, momentum=0.9, nesterov=False):
    v = momentum * state.get("v", np.zeros_like(w)) + (1 - momentum) * dw
    return w - lr * (dw + momentum * v if nesterov else v), {"v": v}
