# expect: failed | out has dtype float32, expected float64
import numpy as np


def affine_forward(x, w, b):
    flat = x.reshape(x.shape[0], -1).astype(np.float32)
    return flat @ w.astype(np.float32) + b.astype(np.float32), (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return (dout @ w.T).reshape(x.shape), x.reshape(x.shape[0], -1).T @ dout, dout.sum(axis=0)
