# expect: failed | the weights first go wrong after step 2
# Wrong on purpose: the step count never advances (bias correction of step 1 forever).
import numpy as np


def adamw_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    if not state:
        state = {"t": 0, "m": np.zeros_like(w), "v": np.zeros_like(w)}
    state["t"] = 1
    t = state["t"]
    w = w * (1.0 - lr * weight_decay)
    state["m"] = beta1 * state["m"] + (1.0 - beta1) * dw
    state["v"] = beta2 * state["v"] + (1.0 - beta2) * dw * dw
    m_hat = state["m"] / (1.0 - beta1**t)
    v_hat = state["v"] / (1.0 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), state
