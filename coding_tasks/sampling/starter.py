import numpy as np  # noqa: F401


def sample_token(logits, temperature, top_k, top_p, rng):
    """logits (V,) float64; temperature >= 0 (0 = greedy); top_k None or int; top_p None or float;
    rng a numpy.random.Generator. Return one token index (int)."""
    raise NotImplementedError
