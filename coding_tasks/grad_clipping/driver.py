# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821


def _listed(value, what, count):
    if not isinstance(value, list | tuple) or len(value) != count:
        raise BadReturn(f"{what} must be a list of {count} arrays (one per input gradient)")
    return [_array(item, f"{what}[{i}]") for i, item in enumerate(value)]


def run_case(module, case):
    grads = [g.copy() for g in case["grads"]]
    result = {}
    if case["mode"] == "norm":
        function = _fn(module, "clip_grad_norm")
        clipped, total = _tuple(function(grads, case["limit"]), 2, "clip_grad_norm", "(clipped_grads, total_norm)")
        result["total_norm"] = _array(total, "total_norm")
        clipped = _listed(clipped, "clip_grad_norm's clipped_grads", len(grads))
    else:
        function = _fn(module, "clip_grad_value")
        clipped = _listed(function(grads, case["limit"]), "clip_grad_value's result", len(grads))
    for i, grad in enumerate(clipped):
        result[f"grads[{i}]"] = grad
    return result
