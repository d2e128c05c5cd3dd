# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821
import numpy as np


def run_case(module, case):
    step = _fn(module, "adamw_step")
    w, state, weights = case["w"].copy(), {}, []
    hyper = {k: case[k] for k in ("lr", "beta1", "beta2", "eps", "weight_decay")}
    for dw in case["dws"]:
        result = step(w, dw.copy(), state, **hyper)
        w, state = _tuple(result, 2, "adamw_step", "(next_w, state)")
        w = _array(w, "next_w")
        if not isinstance(w, np.ndarray) or w.shape != case["w"].shape:
            raise BadReturn(f"next_w must be an array of shape {case['w'].shape}")
        weights.append(w.copy())
    return {"ws": np.stack(weights)}
