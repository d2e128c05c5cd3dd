# expect: failed | Case 'norm_below_limit'
# Wrong on purpose: rescales to max_norm even when the norm is below it.
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = float(np.sqrt(sum(float((g**2).sum()) for g in grads)))
    if True:
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads], total
    return [g.copy() for g in grads], total


def clip_grad_value(grads, clip_value):
    return [np.clip(g, -clip_value, clip_value) for g in grads]
