# expect: failed | autograd is not allowed in this task
# Correct maths, but the backward pass is left to torch autograd: the task forbids that.
import numpy as np
import torch


def dropout_forward(x, p, train, rng):
    xt = torch.tensor(x, requires_grad=True)
    if not train or p == 0:
        return x.copy(), None
    mask = torch.tensor(rng.random(x.shape) >= p)
    out = xt * mask / (1 - p) if p < 1 else xt * 0
    return out.detach().numpy(), (xt, out)


def dropout_backward(dout, cache):
    if cache is None:
        return dout
    xt, out = cache
    out.backward(torch.tensor(dout))
    return np.asarray(xt.grad.numpy())
