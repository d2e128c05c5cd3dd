"""One task that sleeps until the next due time and is woken early when schedules change.

The RoboDanny pattern (docs/notes.md#discord-patterns): the due times live in the database, so the task
keeps nothing that a restart would lose; `wake()` is called after anything that may bring the next
due time forward (a new schedule, a new run, a clock moved in a test).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.scheduling.clock import Clock

log = logging.getLogger(__name__)

#: Re-read the database at least this often, so a change made by another process is seen.
MAX_SLEEP_S = 300.0
#: Never spin: a due item that keeps failing is retried at most this often.
MIN_SLEEP_S = 0.05


class WakeableTimer:
    def __init__(self, clock: Callable[[], Clock], next_due: Callable[[], Awaitable[datetime | None]],
                 on_due: Callable[[], Awaitable[None]], *, max_sleep_s: float = MAX_SLEEP_S) -> None:
        self._clock = clock
        self._next_due = next_due
        self._on_due = on_due
        self._max_sleep_s = max_sleep_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="study-timer")

    async def stop(self) -> None:
        """Stop the task, even if a library it was awaiting swallowed the first cancellation."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is None:
            return
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
        if not task.cancelled() and task.exception() is not None:
            log.error("study timer ended with an error", exc_info=task.exception())

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self._on_due()
                due = await self._next_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("study timer step failed; retrying")
                due = None
                await asyncio.sleep(1.0)
            delay = self._max_sleep_s if due is None else (due - self._clock().now()).total_seconds()
            delay = min(max(delay, MIN_SLEEP_S), self._max_sleep_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
