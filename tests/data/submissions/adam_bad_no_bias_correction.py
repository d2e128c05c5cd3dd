# expect: failed | bias-correct the moments
import numpy as np


def adam_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * state.get("m", np.zeros_like(w)) + (1 - beta1) * dw
    v = beta2 * state.get("v", np.zeros_like(w)) + (1 - beta2) * dw**2
    return w - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v}
