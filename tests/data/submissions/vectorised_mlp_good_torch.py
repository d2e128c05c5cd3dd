import torch


def mlp_forward(X, params):
    X = torch.from_numpy(X)
    p = {k: torch.from_numpy(v) for k, v in params.items()}
    pre = torch.addmm(p["b1"], X, p["W1"])
    h = torch.relu(pre)
    return torch.addmm(p["b2"], h, p["W2"]).numpy(), (X, p, pre, h)


def mlp_backward(dscores, cache):
    X, p, pre, h = cache
    dscores = torch.from_numpy(dscores)
    dpre = (dscores @ p["W2"].T) * (pre > 0)
    grads = {"W1": X.T @ dpre, "b1": dpre.sum(0), "W2": h.T @ dscores, "b2": dscores.sum(0)}
    return {k: v.numpy() for k, v in grads.items()}


def sgd_update(params, grads, lr):
    return {k: params[k] - lr * grads[k] for k in params}
