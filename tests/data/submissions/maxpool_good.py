import numpy as np


def maxpool_forward(x, pool_height, pool_width, stride):
    n, c, h, w = x.shape
    h_out = 1 + (h - pool_height) // stride
    w_out = 1 + (w - pool_width) // stride
    out = np.empty((n, c, h_out, w_out))
    argmax = np.empty((n, c, h_out, w_out), dtype=np.int64)
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, :, i * stride:i * stride + pool_height, j * stride:j * stride + pool_width]
            flat = window.reshape(n, c, -1)
            argmax[:, :, i, j] = flat.argmax(axis=2)  # argmax returns the first maximum
            out[:, :, i, j] = flat.max(axis=2)
    return out, (x.shape, argmax, pool_width, stride)


def maxpool_backward(dout, cache):
    shape, argmax, pw, stride = cache
    dx = np.zeros(shape)
    n, c, h_out, w_out = dout.shape
    ni, ci = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    for i in range(h_out):
        for j in range(w_out):
            rows = i * stride + argmax[:, :, i, j] // pw
            cols = j * stride + argmax[:, :, i, j] % pw
            np.add.at(dx, (ni, ci, rows, cols), dout[:, :, i, j])
    return dx
