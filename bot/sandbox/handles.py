"""A started job as the parent sees it: how to kill it and how to learn that it ended."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable


class JobHandle:
    """Completion is signalled through a pipe so the job's I/O loop can wait on it with select.

    Once the launcher reports the job's process (`attach`), the parent holds a pidfd to it and kills
    it directly: a stopped, hung or dead zygote cannot keep a job alive past its wall clock.
    """

    def __init__(self, kill: Callable[[], None], demote: Callable[[], None] | None = None) -> None:
        self._kill = kill
        self._demote = demote
        self._wake_r, self._wake_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        self._lock = threading.Lock()
        self.exit_code: int | None = None  # os.waitstatus_to_exitcode of the job process
        self.failure: str | None = None  # why no exit code will come (service died, spawn failed)
        self.finished = False
        self.pid: int | None = None  # the job's pid in the parent's pid namespace, once known
        self._pidfd: int | None = None
        self._kill_requested = False
        self._attached = threading.Event()
        self._closed = False
        self.on_kill: list[Callable[[], None]] = []  # extra kill paths (the job's cgroup)

    @property
    def wake_fd(self) -> int:
        return self._wake_r

    @property
    def pidfd(self) -> int | None:
        return self._pidfd

    def attach(self, pid: int, pidfd: int | None) -> None:
        """The job's process is known: keep a pidfd to it (ownership of `pidfd` passes here)."""
        with self._lock:
            if self._closed:
                if pidfd is not None:
                    os.close(pidfd)
                return
            self.pid, self._pidfd = pid, pidfd
            kill_now = self._kill_requested
        self._attached.set()
        if kill_now:
            self._kill_directly()

    def wait_attached(self, timeout_s: float) -> bool:
        """Wait until the job's process is known (or the job ended without one)."""
        return self._attached.wait(timeout_s) and self.pid is not None

    def finish(self, exit_code: int | None, failure: str | None = None) -> None:
        with self._lock:
            if self.finished:
                return
            self.exit_code, self.failure, self.finished = exit_code, failure, True
            self._attached.set()
            if not self._closed:
                os.write(self._wake_w, b"x")

    def _kill_directly(self) -> None:
        with self._lock:
            pidfd = self._pidfd if not self._closed else None
            if pidfd is not None:
                with contextlib.suppress(OSError):  # ESRCH: it has already ended
                    signal.pidfd_send_signal(pidfd, signal.SIGKILL)
        for extra in list(self.on_kill):
            with contextlib.suppress(OSError):
                extra()

    def kill(self) -> None:
        """SIGKILL the job: directly through the pidfd (or the cgroup) and through its launcher."""
        with self._lock:
            self._kill_requested = True
        self._kill_directly()
        if not self.finished:
            with contextlib.suppress(OSError):
                self._kill()

    def process_gone(self) -> bool:
        """True once the job's process has ended (its pidfd turns readable), reaped or not."""
        import select

        with self._lock:
            pidfd = self._pidfd if not self._closed else None
            if pidfd is None:
                return False
            return bool(select.select([pidfd], [], [], 0)[0])

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
            if self._pidfd is not None:
                os.close(self._pidfd)
                self._pidfd = None
