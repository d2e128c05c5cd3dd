# expect: failed | don't start the running maximum at 0
import numpy as np


def maxpool_forward(x, pool_height, pool_width, stride):
    n, c, h, w = x.shape
    h_out = 1 + (h - pool_height) // stride
    w_out = 1 + (w - pool_width) // stride
    out = np.zeros((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            for a in range(pool_height):
                for b in range(pool_width):
                    out[:, :, i, j] = np.maximum(out[:, :, i, j], x[:, :, i * stride + a, j * stride + b])
    return out, (x, out, pool_height, pool_width, stride)


def maxpool_backward(dout, cache):
    x = cache[0]
    return np.zeros_like(x)
