import numpy as np  # noqa: F401


def label_smoothing_cross_entropy(logits, y, smoothing):
    """Mean cross-entropy against q = (1 - smoothing) * one_hot(y) + smoothing / C.

    Return (loss, dlogits).
    """
    raise NotImplementedError
