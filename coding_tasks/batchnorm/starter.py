import numpy as np  # noqa: F401


def batchnorm_forward(x, gamma, beta, state, train, momentum=0.1, eps=1e-5):
    """PyTorch semantics: momentum weights the NEW batch statistic; running_var is unbiased.

    Update state["running_mean"] and state["running_var"] in train mode. Return (out, cache).
    """
    raise NotImplementedError


def batchnorm_backward(dout, cache):
    """Return (dx, dgamma, dbeta)."""
    raise NotImplementedError
