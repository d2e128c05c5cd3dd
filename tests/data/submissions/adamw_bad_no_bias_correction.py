# expect: failed | bias-correct the moments
import numpy as np


def adamw_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    m = state.get("m", np.zeros_like(w))
    v = state.get("v", np.zeros_like(w))
    w = w * (1.0 - lr * weight_decay)
    m = beta1 * m + (1.0 - beta1) * dw
    v = beta2 * v + (1.0 - beta2) * dw * dw
    return w - lr * m / (np.sqrt(v) + eps), {"m": m, "v": v}
