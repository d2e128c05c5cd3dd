import numpy as np  # noqa: F401


def clip_grad_norm(grads, max_norm):
    """Scale all gradients together when their global L2 norm exceeds max_norm.

    Return (clipped_grads, total_norm).
    """
    raise NotImplementedError


def clip_grad_value(grads, clip_value):
    """Clamp every element to [-clip_value, clip_value]. Return clipped_grads."""
    raise NotImplementedError
