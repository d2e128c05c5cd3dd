# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821


def run_case(module, case):
    forward = _fn(module, "rmsnorm_forward")
    backward = _fn(module, "rmsnorm_backward")
    result = forward(case["x"].copy(), case["gamma"].copy(), case["eps"])
    out, cache = _tuple(result, 2, "rmsnorm_forward", "(out, cache)")
    out = _array(out, "rmsnorm_forward's out")
    out = out.copy() if hasattr(out, "copy") else out
    dx, dgamma = _tuple(backward(case["dout"].copy(), cache), 2, "rmsnorm_backward", "(dx, dgamma)")
    return {"out": out, "dx": _array(dx, "dx"), "dgamma": _array(dgamma, "dgamma")}
