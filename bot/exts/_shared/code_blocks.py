"""Find Python code in chat text: a ```python fenced block, as candidates paste submissions in DMs."""

from __future__ import annotations

import ast
import re

_BLOCK = re.compile(r"```(?:python|py|python3)[ \t]*\n(?P<code>.*?)```", re.DOTALL | re.IGNORECASE)
_TASK_COMMENT = re.compile(r"^\s*#\s*task\s*:\s*(?P<slug>[\w-]+)\s*$", re.MULTILINE | re.IGNORECASE)


def extract_python_block(text: str) -> str | None:
    """The code of the first ```python block in `text`, or None."""
    match = _BLOCK.search(text)
    return match["code"] if match else None


def defined_functions(source: str) -> set[str]:
    """Names of the top-level functions `source` defines (empty if it does not parse)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def guess_task(source: str, starters: dict[str, str]) -> str | None:
    """Which task `source` is for: a `# task: slug` comment, else the one task whose starter's
    functions it defines. `starters` maps slug -> starter code. None when unclear."""
    comment = _TASK_COMMENT.search(source)
    if comment and comment["slug"] in starters:
        return comment["slug"]
    functions = defined_functions(source)
    matches = [slug for slug, starter in starters.items()
               if (wanted := defined_functions(starter)) and wanted <= functions]
    return matches[0] if len(matches) == 1 else None
