# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821


def run_case(module, case):
    forward = _fn(module, "affine_forward")
    backward = _fn(module, "affine_backward")
    out, cache = _tuple(forward(case["x"].copy(), case["w"].copy(), case["b"].copy()), 2,
                        "affine_forward", "(out, cache)")
    out = _array(out, "affine_forward's out")
    dx, dw, db = _tuple(backward(case["dout"].copy(), cache), 3, "affine_backward", "(dx, dw, db)")
    return {"out": out, "dx": _array(dx, "dx"), "dw": _array(dw, "dw"), "db": _array(db, "db")}
