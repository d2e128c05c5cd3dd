# expect: failed | total_norm is
# Wrong on purpose: returns the norm after clipping instead of before.
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(float((g**2).sum()) for g in grads)))
    if total > max_norm:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], min(total, max_norm)
    return [g.copy() for g in grads], total


def clip_grad_value(grads, clip_value):
    return [np.clip(g, -clip_value, clip_value) for g in grads]
