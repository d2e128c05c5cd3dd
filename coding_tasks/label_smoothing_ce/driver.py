# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821


def run_case(module, case):
    function = _fn(module, "label_smoothing_cross_entropy")
    result = function(case["logits"].copy(), case["y"].copy(), case["smoothing"])
    loss, dlogits = _tuple(result, 2, "label_smoothing_cross_entropy", "(loss, dlogits)")
    return {"loss": _array(loss, "loss"), "dlogits": _array(dlogits, "dlogits")}
