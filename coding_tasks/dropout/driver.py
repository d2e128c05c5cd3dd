# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821
import numpy as np


def _data(setting):
    # The same generator as cases.inputs_of in the parent.
    rng = np.random.default_rng(setting["data_seed"])
    shape = tuple(setting["shape"])
    u = rng.uniform(-1.5, 1.5, size=shape)
    return u + np.copysign(0.5, u), rng.standard_normal(shape)


def _out(value, what):
    out = _array(value, what)
    return out.copy() if isinstance(out, np.ndarray) else out


def _run_setting(forward, backward, setting):
    x, dout = _data(setting)
    p, train = setting["p"], setting["train"]
    shared = np.random.default_rng(setting["seed"])
    outs, caches = [], []
    for call in range(setting.get("calls", 1)):
        # calls 0 and 1 draw from one generator in turn; later calls get generators of their own
        rng = shared if call < 2 else np.random.default_rng([setting["seed"], call])
        out, cache = _tuple(forward(x.copy(), p, train, rng), 2, "dropout_forward", "(out, cache)")
        outs.append(_out(out, "dropout_forward's out"))
        caches.append(cache)
    # Both forward passes come first: each backward must use its own call's cache.
    dxs = [_array(backward(dout.copy(), cache), "dropout_backward's result dx") for cache in caches[:2]]
    # Calls after the second serve the mask statistics: sent as float32 (zeros stay exact zeros, the
    # scale is still checked to float32 precision), which keeps the result small.
    for call in range(2 if train else len(outs), len(outs)):
        if isinstance(outs[call], np.ndarray) and outs[call].dtype == np.float64:
            outs[call] = outs[call].astype(np.float32)
    return {"out": outs[0], "dx": dxs[0], "outs": outs, "dxs": dxs}


def run_case(module, case):
    forward = _fn(module, "dropout_forward")
    backward = _fn(module, "dropout_backward")
    return [_run_setting(forward, backward, setting) for setting in case["settings"]]
