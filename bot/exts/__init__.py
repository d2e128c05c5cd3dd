"""discord.py extensions, one package per feature (python-discord layout).

Each public package's `__init__.py` only has `setup(bot)`, importing its private `_cog` module.
Modules and packages whose name starts with `_` are internals and are never loaded as extensions.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Iterator


def walk_extensions() -> Iterator[str]:
    """Yield the dotted name of every extension under bot.exts (skipping private `_` modules)."""
    for module in pkgutil.iter_modules(__path__, prefix=f"{__name__}."):
        if not module.name.rsplit(".", 1)[-1].startswith("_"):
            yield module.name
