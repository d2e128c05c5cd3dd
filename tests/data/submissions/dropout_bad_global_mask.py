# expect: failed | keep it in the cache, not in a global
# Wrong: keeps the mask in a global instead of the cache, so backward uses the latest forward mask.
import numpy as np

_LAST = {}


def dropout_forward(x, p, train, rng):
    if not train:
        _LAST["mask"] = None
        return x.copy(), (None, p)
    mask = rng.random(x.shape) >= p
    _LAST["mask"] = mask
    return (x * mask / (1 - p) if p < 1 else np.zeros_like(x)), (mask, p)


def dropout_backward(dout, cache):
    _, p = cache
    mask = _LAST["mask"]
    if mask is None:
        return dout.copy()
    return dout * mask / (1 - p) if p < 1 else np.zeros_like(dout)
