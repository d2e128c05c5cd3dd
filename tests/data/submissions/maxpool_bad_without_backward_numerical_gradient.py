# expect: failed | Case 'ties'
# Wrong on purpose: no backward pass, a one-sided difference per entry; it matches wherever the maximum is
# unique, but lowering one of several equal maxima leaves the window's maximum unchanged (gradient 0).
import numpy as np


def maxpool_forward(x, pool_height, pool_width, stride):
    n, c, h, w = x.shape
    h_out = 1 + (h - pool_height) // stride
    w_out = 1 + (w - pool_width) // stride
    out = np.empty((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + pool_height, j * stride:j * stride + pool_width].max(axis=(2, 3))
    return out, (x.copy(), pool_height, pool_width, stride)


def maxpool_backward(dout, cache):
    x, ph, pw, stride = cache
    dx = np.zeros_like(x)
    xc = x.copy()
    h = 1e-6
    for i in np.ndindex(*x.shape):
        old = xc[i]
        xc[i] = old - h
        down = np.sum(maxpool_forward(xc, ph, pw, stride)[0] * dout)
        xc[i] = old
        base = np.sum(maxpool_forward(xc, ph, pw, stride)[0] * dout)
        dx[i] = (base - down) / h
    return dx
