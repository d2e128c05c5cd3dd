# expect: timeout | finite differences (forward passes per input entry) cannot
# sandbox-only: it is rejected by the sandbox's time limit, which the in-process runner does not have
# Wrong on purpose: no backward pass, a central difference per entry, re-evaluating only the entry's own row for
# x, prev_h and prev_c (accurate to ~1e-10: it matched every small case before the layer-sized one existed).
import numpy as np


def _sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    h = prev_h.shape[1]
    a = x @ Wx + prev_h @ Wh + b
    next_c = _sigmoid(a[:, h:2 * h]) * prev_c + _sigmoid(a[:, :h]) * np.tanh(a[:, 2 * h:3 * h])
    next_h = _sigmoid(a[:, 3 * h:]) * np.tanh(next_c)
    return next_h, next_c, tuple(v.copy() for v in (x, prev_h, prev_c, Wx, Wh, b))


def _central(f, a, i):
    old = a[i]
    h = 1e-5 * max(1.0, abs(old))
    a[i] = old + h
    up = f()
    a[i] = old - h
    down = f()
    a[i] = old
    return (up - down) / (2 * h)


def lstm_step_backward(dnext_h, dnext_c, cache):
    args = [v.copy() for v in cache]

    def loss(rows=slice(None)):
        next_h, next_c, _ = lstm_step_forward(*(v[rows] for v in args[:3]), *args[3:])
        return np.sum(next_h * dnext_h[rows]) + np.sum(next_c * dnext_c[rows])

    grads = []
    for k, a in enumerate(args):
        g = np.zeros_like(a)
        for i in np.ndindex(*a.shape):
            # an entry of x, prev_h or prev_c only moves its own row of the outputs
            rows = slice(i[0], i[0] + 1) if k < 3 else slice(None)
            g[i] = _central(lambda rows=rows: loss(rows), a, i)
        grads.append(g)
    return tuple(grads)
