# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821
import numpy as np


def run_case(module, case):
    forward = _fn(module, "batchnorm_forward")
    backward = _fn(module, "batchnorm_backward")
    state = {"running_mean": case["running_mean"].copy(), "running_var": case["running_var"].copy()}
    result = forward(case["x"].copy(), case["gamma"].copy(), case["beta"].copy(), state, case["train"],
                     case["momentum"], case["eps"])
    out, cache = _tuple(result, 2, "batchnorm_forward", "(out, cache)")
    out = _array(out, "batchnorm_forward's out")
    out = out.copy() if isinstance(out, np.ndarray) else out
    if not isinstance(state, dict) or "running_mean" not in state or "running_var" not in state:
        raise BadReturn("state must keep its keys 'running_mean' and 'running_var'")
    running_mean = _array(state["running_mean"], "state['running_mean']")
    running_var = _array(state["running_var"], "state['running_var']")
    dx, dgamma, dbeta = _tuple(backward(case["dout"].copy(), cache), 3, "batchnorm_backward",
                               "(dx, dgamma, dbeta)")
    return {"out": out, "running_mean": running_mean, "running_var": running_var,
            "dx": _array(dx, "dx"), "dgamma": _array(dgamma, "dgamma"), "dbeta": _array(dbeta, "dbeta")}
