# expect: failed | apply top-p AFTER top-k
import numpy as np


def sample_token(logits, temperature, top_k, top_p, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    scaled = logits / temperature
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    order = np.argsort(-probs)
    keep = np.zeros(len(probs), dtype=bool)
    keep[order] = True
    if top_p is not None:
        cum = np.cumsum(probs[order])
        keep[order[int(np.searchsorted(cum, top_p)) + 1:]] = False
    if top_k is not None:
        keep[order[top_k:]] = False
    probs = np.where(keep, probs, 0.0)
    return int(rng.choice(len(probs), p=probs / probs.sum()))
