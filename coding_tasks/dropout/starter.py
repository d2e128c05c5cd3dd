import numpy as np  # noqa: F401


def dropout_forward(x, p, train, rng):
    """Inverted dropout. p is the DROP probability. Return (out, cache)."""
    # rng is a numpy.random.Generator: draw your mask from it, e.g. rng.random(x.shape)
    raise NotImplementedError


def dropout_backward(dout, cache):
    """Return dx, reusing the mask saved in cache."""
    raise NotImplementedError
