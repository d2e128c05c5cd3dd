# expect: failed | is p the drop probability?
# The CS231n 2022 convention: p is the KEEP probability.


def dropout_forward(x, p, train, rng):
    if not train:
        return x, None
    mask = (rng.random(x.shape) < p) / p
    return x * mask, mask


def dropout_backward(dout, cache):
    return dout if cache is None else dout * cache
