# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821
import numpy as np

NAMES = ("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")


def run_case(module, case):
    forward = _fn(module, "lstm_step_forward")
    backward = _fn(module, "lstm_step_backward")
    args = [case[k].copy() for k in ("x", "prev_h", "prev_c", "Wx", "Wh", "b")]
    next_h, next_c, cache = _tuple(forward(*args), 3, "lstm_step_forward", "(next_h, next_c, cache)")
    result = {"next_h": _array(next_h, "next_h"), "next_c": _array(next_c, "next_c")}
    result = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in result.items()}
    grads = _tuple(backward(case["dnext_h"].copy(), case["dnext_c"].copy(), cache), 6, "lstm_step_backward",
                   "(dx, dprev_h, dprev_c, dWx, dWh, db)")
    for name, grad in zip(NAMES, grads, strict=True):
        result[name] = _array(grad, name)
    return result
