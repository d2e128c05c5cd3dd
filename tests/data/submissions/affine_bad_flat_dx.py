# expect: failed | reshape it back to x's original shape (4, 2, 3, 5)
def affine_forward(x, w, b):
    flat = x.reshape(x.shape[0], -1)
    return flat @ w + b, (flat, w)


def affine_backward(dout, cache):
    flat, w = cache
    return dout @ w.T, flat.T @ dout, dout.sum(axis=0)
