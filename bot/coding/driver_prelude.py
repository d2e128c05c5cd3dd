"""Helpers prepended to every task's driver.py before it is sent into the sandbox.

This file is read as TEXT by the registry and executed inside the jail, next to the candidate's
module: it must depend on numpy only and never import anything from `bot`. The exceptions it
raises have names the parent recognises (`MissingFunction`, `BadReturn`), so the verdict can say
"define dropout_backward" instead of showing a traceback from trusted code.
"""

import numpy as np


class MissingFunction(Exception):
    """The submission does not define a function the task asks for."""


class BadReturn(Exception):
    """A function returned something of the wrong form (not a tuple, None, a string, ...)."""


def _fn(module, name):
    function = getattr(module, name, None)
    if not callable(function):
        raise MissingFunction(f"your code does not define a function named `{name}`")
    return function


def _type_name(value):
    return "None" if value is None else f"a {type(value).__name__}"


def _array(value, what):
    """A candidate's returned value as a numpy array (torch tensors converted), keeping its dtype."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        value = value.detach().cpu().numpy()
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise BadReturn(f"{what} is an array of dtype {value.dtype}; return numbers")
        return value
    if isinstance(value, list | tuple):
        try:
            array = np.asarray([_array(v, what) for v in value])
        except (ValueError, TypeError, BadReturn):
            raise BadReturn(f"{what} is {_type_name(value)} that is not a numeric array") from None
        if array.dtype.kind in "biuf":
            return array
    raise BadReturn(f"{what} should be a numpy array but is {_type_name(value)}")


def _tuple(value, size, what, form):
    """Check a function returned a tuple of `size` items; `form` names them, e.g. "(out, cache)"."""
    if not isinstance(value, tuple | list) or len(value) != size:
        got = f"a tuple of {len(value)}" if isinstance(value, tuple | list) else _type_name(value)
        raise BadReturn(f"{what} must return a tuple {form}; it returned {got}")
    return tuple(value)
