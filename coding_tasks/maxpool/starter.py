import numpy as np  # noqa: F401


def maxpool_forward(x, pool_height, pool_width, stride):
    """x (N, C, H, W). Return (out, cache)."""
    raise NotImplementedError


def maxpool_backward(dout, cache):
    """Return dx; on ties the gradient goes to the first maximum (row-major)."""
    raise NotImplementedError
