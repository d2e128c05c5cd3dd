# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821
import numpy as np


def run_case(module, case):
    forward = _fn(module, "dropout_forward")
    backward = _fn(module, "dropout_backward")
    rng = np.random.default_rng(case["seed"])
    result = forward(case["x"].copy(), case["p"], case["train"], rng)
    out, cache = _tuple(result, 2, "dropout_forward", "(out, cache)")
    out = _array(out, "dropout_forward's out")
    out = out.copy() if isinstance(out, np.ndarray) else out
    dx = _array(backward(case["dout"].copy(), cache), "dropout_backward's result dx")
    return {"out": out, "dx": dx}
