# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821


def run_case(module, case):
    function = _fn(module, "mlp_forward_backward")
    args = [case[k].copy() for k in ("X", "y", "W1", "b1", "W2", "b2")]
    loss, grads = _tuple(function(*args), 2, "mlp_forward_backward", "(loss, grads)")
    if not isinstance(grads, dict):
        raise BadReturn(f"grads must be a dict with keys 'W1', 'b1', 'W2', 'b2'; it is {_type_name(grads)}")
    result = {"loss": _array(loss, "loss")}
    for key in ("W1", "b1", "W2", "b2"):
        if key not in grads:
            raise BadReturn(f"grads has no key '{key}' (expected keys 'W1', 'b1', 'W2', 'b2')")
        result["d" + key] = _array(grads[key], f"grads['{key}']")
    return result
