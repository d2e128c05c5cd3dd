# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821
import numpy as np


def run_case(module, case):
    forward = _fn(module, "activation_forward")
    backward = _fn(module, "activation_backward")
    x = case["x"].copy()
    out, cache = _tuple(forward(x, case["kind"], case["slope"]), 2, "activation_forward", "(out, cache)")
    out = _array(out, "activation_forward's out")
    out = out.copy() if isinstance(out, np.ndarray) else out
    mutated = not np.array_equal(x, case["x"])
    dx = _array(backward(case["dout"].copy(), cache), "activation_backward's dx")
    return {"out": out, "dx": dx, "x_mutated": bool(mutated)}
