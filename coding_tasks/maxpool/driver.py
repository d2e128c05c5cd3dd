# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821


def run_case(module, case):
    forward = _fn(module, "maxpool_forward")
    backward = _fn(module, "maxpool_backward")
    result = forward(case["x"].copy(), case["pool_height"], case["pool_width"], case["stride"])
    out, cache = _tuple(result, 2, "maxpool_forward", "(out, cache)")
    out = _array(out, "maxpool_forward's out")
    dx = _array(backward(case["dout"].copy(), cache), "maxpool_backward's dx")
    return {"out": out, "dx": dx}
