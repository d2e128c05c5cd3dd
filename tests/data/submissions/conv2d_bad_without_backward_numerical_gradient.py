# expect: timeout | finite differences (a forward pass per input entry) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which the in-process runner does not have
# Wrong on purpose: no backward pass, a central difference per entry (exact for a convolution), re-evaluating
# only the entry's own example for dx (it matched every small case before the feature-map-sized one existed).
import numpy as np


def conv_forward(x, w, b, stride, pad):
    n, _, h, wd = x.shape
    f, _, hh, ww = w.shape
    h_out = 1 + (h + 2 * pad - hh) // stride
    w_out = 1 + (wd + 2 * pad - ww) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n, f, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * stride:i * stride + hh, j * stride:j * stride + ww]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x.copy(), w.copy(), b.copy(), stride, pad)


def _central(f, a, i):
    old = a[i]
    h = 1e-5 * max(1.0, abs(old))
    a[i] = old + h
    up = f()
    a[i] = old - h
    down = f()
    a[i] = old
    return (up - down) / (2 * h)


def conv_backward(dout, cache):
    x, w, b, stride, pad = cache
    dx = np.zeros_like(x)
    for k in range(x.shape[0]):
        one = x[k:k + 1].copy()
        loss = lambda one=one, k=k: np.sum(conv_forward(one, w, b, stride, pad)[0] * dout[k])  # noqa: E731
        for i in np.ndindex(*one.shape):
            dx[(k, *i[1:])] = _central(loss, one, i)
    wc, bc = w.copy(), b.copy()
    loss = lambda: np.sum(conv_forward(x, wc, bc, stride, pad)[0] * dout)  # noqa: E731
    dw = np.zeros_like(wc)
    for i in np.ndindex(*wc.shape):
        dw[i] = _central(loss, wc, i)
    db = np.array([_central(loss, bc, j) for j in range(bc.size)])
    return dx, dw, db
