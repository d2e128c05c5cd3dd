import numpy as np  # noqa: F401


def adamw_step(w, dw, state, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
    """One AdamW step (torch.optim.AdamW): decoupled decay, then Adam with bias correction (t starts
    at 1). state is {} on the first call. Return (next_w, state)."""
    raise NotImplementedError
