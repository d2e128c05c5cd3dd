import numpy as np


def adamw_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    # torch's own arithmetic order: the denominator is sqrt(v) / sqrt(1 - beta2**t) + eps
    t = state.get("t", 0) + 1
    m = state.get("m", np.zeros_like(w))
    v = state.get("v", np.zeros_like(w))
    w *= 1.0 - lr * weight_decay
    m *= beta1
    m += (1.0 - beta1) * dw
    v *= beta2
    v += (1.0 - beta2) * dw**2
    denom = np.sqrt(v) / np.sqrt(1.0 - beta2**t) + eps
    w -= (lr / (1.0 - beta1**t)) * m / denom
    return w, {"t": t, "m": m, "v": v}
