# expect: failed | the norm is GLOBAL, over all gradients together
import numpy as np


def clip_grad_norm(grads, max_norm):
    clipped = []
    for g in grads:
        norm = float(np.linalg.norm(g))
        clipped.append(g * (max_norm / (norm + 1e-6)) if norm > max_norm else g)
    return clipped, float(np.sqrt(sum(float((g**2).sum()) for g in grads)))


def clip_grad_value(grads, clip_value):
    return [np.clip(g, -clip_value, clip_value) for g in grads]
