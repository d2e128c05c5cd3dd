# expect: failed | ZeroDivisionError at line 10 (`scale = 1 / (1 - p)`)
# Python float division: p == 1 raises instead of giving inf.


def dropout_forward(x, p, train, rng):
    if not train:
        return x, None
    p = float(p)
    mask = rng.random(x.shape) >= p
    scale = 1 / (1 - p)
    return x * mask * scale, (mask, scale)


def dropout_backward(dout, cache):
    if cache is None:
        return dout
    mask, scale = cache
    return dout * mask * scale
