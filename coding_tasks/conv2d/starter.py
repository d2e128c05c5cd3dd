import numpy as np  # noqa: F401


def conv_forward(x, w, b, stride, pad):
    """x (N, C, H, W), w (F, C, HH, WW), b (F,). Cross-correlation like F.conv2d. Return (out, cache)."""
    raise NotImplementedError


def conv_backward(dout, cache):
    """Return (dx, dw, db)."""
    raise NotImplementedError
