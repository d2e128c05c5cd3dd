"""Which zygote a submission needs: torch only when it imports torch (the numpy zygote is ~3x cheaper)."""

from __future__ import annotations

import ast

from bot.sandbox.api import Flavour

_TORCH_ROOTS = frozenset({"torch", "functorch"})


def detect_flavour(source: str) -> Flavour:
    """ "torch" if the source imports torch in any usual way (import, from-import, __import__,
    importlib.import_module with a literal name), else "numpy". Unparsable source gets "numpy": it will
    fail to load in either zygote with the same SyntaxError."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return "numpy"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] in _TORCH_ROOTS for a in node.names):
            return "torch"
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and (node.module or "").split(".")[0] in _TORCH_ROOTS
        ):
            return "torch"
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            target = node.args[0].value
            if (
                name in ("__import__", "import_module")
                and isinstance(target, str)
                and target.split(".")[0] in _TORCH_ROOTS
            ):
                return "torch"
    return "numpy"
