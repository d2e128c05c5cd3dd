# expect: failed | clamps each element to [-1.5, 1.5] independently
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(float((g**2).sum()) for g in grads)))
    scale = min(1.0, max_norm / (total + 1e-6))
    return [g * scale for g in grads], total


def clip_grad_value(grads, clip_value):
    # rescales each array so its largest element is clip_value, instead of clamping elements
    out = []
    for g in grads:
        peak = float(np.abs(g).max())
        out.append(g * clip_value / peak if peak > clip_value else g)
    return out
