"""A started job as the parent sees it: how to kill it and how to learn that it ended."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable


class JobHandle:
    """Completion is signalled through a pipe so the job's I/O loop can wait on it with select."""

    def __init__(self, kill: Callable[[], None], demote: Callable[[], None] | None = None) -> None:
        self._kill = kill
        self._demote = demote
        self._wake_r, self._wake_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        self._lock = threading.Lock()
        self.exit_code: int | None = None  # os.waitstatus_to_exitcode of the job process
        self.failure: str | None = None  # why no exit code will come (service died, spawn failed)
        self.finished = False
        self._closed = False

    @property
    def wake_fd(self) -> int:
        return self._wake_r

    def finish(self, exit_code: int | None, failure: str | None = None) -> None:
        with self._lock:
            if self.finished:
                return
            self.exit_code, self.failure, self.finished = exit_code, failure, True
            if not self._closed:
                os.write(self._wake_w, b"x")

    def kill(self) -> None:
        if not self.finished:
            self._kill()

    def demote(self) -> None:
        """Lowest CPU priority: a job still running after a while must not slow the short ones."""
        if not self.finished and self._demote is not None:
            self._demote()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            os.close(self._wake_r)
            os.close(self._wake_w)
