# Runs inside the sandbox, after bot/coding/driver_prelude.py (which defines _fn, _tuple, _array,
# _type_name, BadReturn and MissingFunction in the same namespace).
# ruff: noqa: F821
import numpy as np

#: the first draws are repeated with a fresh generator from the same seed: they must come out the same
REPEAT = 50


def _token(value, size):
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item() if value.dtype.kind in "iub" else value
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadReturn(f"sample_token must return a token index (an int); it returned {_type_name(value)}")
    if not 0 <= value < size:
        raise BadReturn(f"sample_token returned {value}, which is not a token index in [0, {size})")
    return value


def _draw(function, case, count):
    rng = np.random.default_rng(case["seed"])
    tokens = np.empty(count, dtype=np.int64)
    for i in range(count):
        value = function(case["logits"].copy(), case["temperature"], case["top_k"], case["top_p"], rng)
        tokens[i] = _token(value, case["logits"].size)
    return tokens


def run_case(module, case):
    function = _fn(module, "sample_token")
    tokens = _draw(function, case, case["draws"])
    again = _draw(function, case, min(REPEAT, case["draws"]))
    return {"tokens": tokens, "again": again}
