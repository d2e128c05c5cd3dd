import torch


def rmsnorm_forward(x, gamma, eps=1e-6):
    x, gamma = torch.from_numpy(x), torch.from_numpy(gamma)
    inv_rms = torch.rsqrt(x.pow(2).mean(dim=-1, keepdim=True) + eps)
    xhat = x * inv_rms
    return (gamma * xhat).numpy(), (xhat, gamma, inv_rms)


def rmsnorm_backward(dout, cache):
    xhat, gamma, inv_rms = cache
    g = torch.from_numpy(dout) * gamma
    dx = inv_rms * (g - xhat * (g * xhat).mean(dim=-1, keepdim=True))
    dgamma = (torch.from_numpy(dout) * xhat).reshape(-1, xhat.shape[-1]).sum(dim=0)
    return dx.numpy(), dgamma.numpy()
