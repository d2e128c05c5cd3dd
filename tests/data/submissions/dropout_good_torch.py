# Torch tensor ops with torch's own RNG (no autograd): must pass as well.
import torch


def dropout_forward(x, p, train, rng):
    xt = torch.from_numpy(x)
    if not train or p == 0:
        return xt.clone(), None
    if p == 1:
        return torch.zeros_like(xt), torch.zeros_like(xt)
    scale = torch.bernoulli(torch.full_like(xt, 1 - p)) / (1 - p)
    return xt * scale, scale


def dropout_backward(dout, cache):
    dt = torch.from_numpy(dout)
    return dt.clone() if cache is None else dt * cache
