import numpy as np  # noqa: F401


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """Gate order i, f, g, o (PyTorch). Return (next_h, next_c, cache)."""
    raise NotImplementedError


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Return (dx, dprev_h, dprev_c, dWx, dWh, db)."""
    raise NotImplementedError
