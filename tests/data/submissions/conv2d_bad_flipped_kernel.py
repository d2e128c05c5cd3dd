# expect: failed | don't flip w
import numpy as np


def conv_forward(x, w, b, stride, pad):
    n, _, h, wd = x.shape
    f, _, hh, ww = w.shape
    wf = w[:, :, ::-1, ::-1]  # textbook convolution flips the kernel
    h_out = 1 + (h + 2 * pad - hh) // stride
    w_out = 1 + (wd + 2 * pad - ww) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n, f, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * stride:i * stride + hh, j * stride:j * stride + ww]
            out[:, :, i, j] = np.tensordot(window, wf, axes=([1, 2, 3], [1, 2, 3])) + b
    return out, (x, w)


def conv_backward(dout, cache):
    x, w = cache
    return np.zeros_like(x), np.zeros_like(w), dout.sum(axis=(0, 2, 3))
