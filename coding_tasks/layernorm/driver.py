# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821


def run_case(module, case):
    forward = _fn(module, "layernorm_forward")
    backward = _fn(module, "layernorm_backward")
    result = forward(case["x"].copy(), case["gamma"].copy(), case["beta"].copy(), case["eps"])
    out, cache = _tuple(result, 2, "layernorm_forward", "(out, cache)")
    out = _array(out, "layernorm_forward's out")
    dx, dgamma, dbeta = _tuple(backward(case["dout"].copy(), cache), 3, "layernorm_backward",
                               "(dx, dgamma, dbeta)")
    return {"out": out, "dx": _array(dx, "dx"), "dgamma": _array(dgamma, "dgamma"), "dbeta": _array(dbeta, "dbeta")}
