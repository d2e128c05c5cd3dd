"""Which zygote a submission needs: torch only when it imports torch (the numpy zygote is ~3x cheaper).

This runs in the trusted parent on untrusted text, so it is bounded: sources over MAX_SOURCE_CHARS are
not parsed, and a parse that fails in any way (deep nesting makes CPython's parser raise
RecursionError or MemoryError) falls back to an iterative token scan. It never raises.
"""

from __future__ import annotations

import ast
import io
import tokenize

from bot.sandbox.api import Flavour

_TORCH_ROOTS = frozenset({"torch", "functorch"})
#: Longer sources are not parsed here (the checker refuses them before they reach a sandbox).
MAX_SOURCE_CHARS = 200_000


def detect_flavour(source: str) -> Flavour:
    """ "torch" if the source imports torch in any usual way (import, from-import, __import__,
    importlib.import_module with a literal name), else "numpy". Unparsable source gets "numpy" unless
    a token scan finds the name torch: it will fail to load in either zygote with the same error."""
    if not isinstance(source, str) or len(source) > MAX_SOURCE_CHARS:
        return "numpy"
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "numpy"
    except Exception:  # RecursionError, MemoryError, ValueError (NUL bytes), ...
        return _scan_tokens(source)
    try:
        return _walk(tree)
    except Exception:
        return _scan_tokens(source)


def _walk(tree: ast.AST) -> Flavour:
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


def _scan_tokens(source: str) -> Flavour:
    """Conservative and iterative: any name `torch`/`functorch` routes to the torch zygote."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NAME and token.string in _TORCH_ROOTS:
                return "torch"
    except Exception:
        pass
    return "numpy"
