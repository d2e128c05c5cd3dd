"""Run grading off the event loop, with room for many answers to be graded together.

`asyncio.to_thread` uses the loop's default executor: about six threads on a 2-core machine, so at most
six answers could ever share one forward pass of the model while the rest queue behind them. Grading
threads mostly wait for the embedder (which serves every waiting thread in the same pass), so a larger
dedicated pool lets a burst of answers be encoded in a few large passes instead of many small ones.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

#: Grading threads: enough to batch a burst of answers; each idle thread costs only its stack.
GRADING_THREADS = 64

_P = ParamSpec("_P")
_T = TypeVar("_T")
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=GRADING_THREADS, thread_name_prefix="grading")
    return _executor


async def in_grading_thread(func: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`await asyncio.to_thread(func, ...)`, on the grading pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_pool(), functools.partial(func, *args, **kwargs))
