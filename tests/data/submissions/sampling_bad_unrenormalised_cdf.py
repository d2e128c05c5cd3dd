# expect: failed | the token frequencies do not follow the renormalised truncated softmax
import numpy as np


def sample_token(logits, temperature, top_k, top_p, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    scaled = logits / temperature
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    order = np.argsort(-probs)
    keep = len(probs) if top_k is None else top_k
    if top_p is not None:
        keep = min(keep, int(np.searchsorted(np.cumsum(probs[order]), top_p)) + 1)
    # the kept tokens' probabilities are not renormalised: the missing mass all lands on the last kept token
    cdf = np.cumsum(probs[order[:keep]])
    return int(order[min(int(np.searchsorted(cdf, rng.random())), keep - 1)])
