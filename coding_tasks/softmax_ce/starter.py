import numpy as np  # noqa: F401


def softmax_cross_entropy(logits, y):
    """Mean softmax cross-entropy of logits (N, C) with labels y (N,). Return (loss, dlogits)."""
    raise NotImplementedError
