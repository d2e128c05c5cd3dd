# expect: failed | send each window's gradient to the first maximum only
import numpy as np


def maxpool_forward(x, pool_height, pool_width, stride):
    n, c, h, w = x.shape
    h_out = 1 + (h - pool_height) // stride
    w_out = 1 + (w - pool_width) // stride
    out = np.empty((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, :, i * stride:i * stride + pool_height, j * stride:j * stride + pool_width]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out, (x, out, pool_height, pool_width, stride)


def maxpool_backward(dout, cache):
    x, out, ph, pw, stride = cache
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + ph), slice(j * stride, j * stride + pw)
            mask = x[:, :, rows, cols] == out[:, :, i, j][:, :, None, None]
            dx[:, :, rows, cols] += mask * dout[:, :, i, j][:, :, None, None]
    return dx
