import numpy as np  # noqa: F401


def mha_forward(x, Wq, Wk, Wv, Wo, n_heads, causal):
    """x (B, T, D); weights (D, D), used as x @ W. Return out (B, T, D)."""
    raise NotImplementedError


def mha_decode_step(x_t, Wq, Wk, Wv, Wo, n_heads, cache):
    """x_t (B, D); cache None or {"k": (B, H, t, d_head), "v": (B, H, t, d_head)}.

    Return (out_t (B, D), cache holding t + 1 positions).
    """
    raise NotImplementedError
