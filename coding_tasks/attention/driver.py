# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821


def run_case(module, case):
    function = _fn(module, "attention")
    mask = None if case["mask"] is None else case["mask"].copy()
    out = function(case["q"].copy(), case["k"].copy(), case["v"].copy(), mask)
    return {"out": _array(out, "attention's out")}
