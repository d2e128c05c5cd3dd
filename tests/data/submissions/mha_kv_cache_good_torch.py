import torch
import torch.nn.functional as F


def _split(t, n_heads):
    b, length, d = t.shape
    return t.view(b, length, n_heads, d // n_heads).transpose(1, 2)


def mha_forward(x, Wq, Wk, Wv, Wo, n_heads, causal):
    x, Wq, Wk, Wv, Wo = (torch.from_numpy(a) for a in (x, Wq, Wk, Wv, Wo))
    q, k, v = _split(x @ Wq, n_heads), _split(x @ Wk, n_heads), _split(x @ Wv, n_heads)
    o = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    return (o.transpose(1, 2).reshape(x.shape) @ Wo).numpy()


def mha_decode_step(x_t, Wq, Wk, Wv, Wo, n_heads, cache):
    x, Wq, Wk, Wv, Wo = (torch.from_numpy(a) for a in (x_t[:, None, :], Wq, Wk, Wv, Wo))
    q, k, v = _split(x @ Wq, n_heads), _split(x @ Wk, n_heads), _split(x @ Wv, n_heads)
    if cache is not None:
        k = torch.cat([torch.from_numpy(cache["k"]), k], dim=2)
        v = torch.cat([torch.from_numpy(cache["v"]), v], dim=2)
    o = F.scaled_dot_product_attention(q, k, v)
    out = o.transpose(1, 2).reshape(x.shape) @ Wo
    return out[:, 0, :].numpy(), {"k": k.numpy(), "v": v.numpy()}
