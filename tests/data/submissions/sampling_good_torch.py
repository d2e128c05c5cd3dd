import torch


def sample_token(logits, temperature, top_k, top_p, rng):
    logits = torch.from_numpy(logits)
    if temperature == 0:
        return int(torch.argmax(logits))
    scaled = logits / temperature
    if top_k is not None:
        values, _ = torch.topk(scaled, top_k)
        scaled = scaled.masked_fill(scaled < values[-1], float("-inf"))
    probs = torch.softmax(scaled, dim=-1)
    if top_p is not None:
        sorted_probs, order = torch.sort(probs, descending=True)
        drop = torch.cumsum(sorted_probs, dim=-1) - sorted_probs >= top_p
        sorted_probs = sorted_probs.masked_fill(drop, 0.0)
        probs = torch.zeros_like(probs).scatter(0, order, sorted_probs)
    # inverse-CDF sampling with one uniform number from the numpy generator
    cdf = torch.cumsum(probs / probs.sum(), dim=-1)
    index = int(torch.searchsorted(cdf, torch.tensor([rng.random()], dtype=cdf.dtype)))
    return min(index, int(torch.nonzero(probs).max()))
