# expect: failed | Case 'temperature_and_top_p'
# Wrong on purpose: top-k/top-p chosen at temperature 1, temperature applied afterwards.
import numpy as np


def sample_token(logits, temperature, top_k, top_p, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    scaled = logits.astype(float).copy()
    if top_k is not None:
        kth = np.sort(scaled)[-top_k]
        scaled = np.where(scaled >= kth, scaled, -np.inf)
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    if top_p is not None:
        order = np.argsort(-probs)
        cum = np.cumsum(probs[order])
        keep = order[: int(np.searchsorted(cum, top_p)) + 1]
        kept = np.zeros_like(probs)
        kept[keep] = probs[keep]
        probs = kept / kept.sum()
        probs = np.where(probs > 0, probs ** (1.0 / temperature), 0.0)
        probs = probs / probs.sum()
    else:
        probs = probs ** (1.0 / temperature)
        probs = probs / probs.sum()
    return int(rng.choice(len(probs), p=probs))
