"""The runner the bot uses: admission control (one job per user, bounded queue) in front of worker
threads that drive jobs through a launcher per flavour.

Loop-agnostic on purpose: jobs run on a private thread pool and `run` only awaits a concurrent future,
so one runner serves the Discord bot's loop, several pytest event loops, and plain synchronous CLI code.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from bot.sandbox.api import Busy, Flavour, SandboxJob, SandboxResult
from bot.sandbox.cgroup import JobCgroups
from bot.sandbox.execution import Launcher, run_job


class PooledRunner:
    """A CodeRunner. `launcher_for(flavour)` is called lazily, once per flavour."""

    def __init__(self, launcher_for: Callable[[Flavour], Launcher], *, slots: int, queue_limit: int,
                 on_close: Callable[[], None] | None = None, cgroups: JobCgroups | None = None,
                 isolation: str = "") -> None:  # fmt: skip
        self._launcher_for = launcher_for
        self._cgroups = cgroups
        #: one sentence on the memory-isolation mode in force (per-job cgroups or the fallback)
        self.isolation = isolation
        self._launchers: dict[Flavour, Launcher] = {}
        self._slots = slots
        self._queue_limit = queue_limit
        self._on_close = on_close
        self._executor = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="sandbox-job")
        self._lock = threading.Lock()
        self._users: set[str] = set()
        self._in_flight = 0
        self._mean_job_s = 0.2
        self._closed = False

    # ------------------------------------------------------------ admission
    def _admit(self, job: SandboxJob, user_key: str) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the sandbox runner is closed")
            if user_key in self._users:
                raise Busy(max(1.0, job.time_limit_s / 2), "busy: you already have code running, try again "
                           f"in {max(1, round(job.time_limit_s / 2))} s")  # fmt: skip
            if self._in_flight >= self._slots + self._queue_limit:
                waves = self._in_flight / self._slots + 1
                raise Busy(max(1.0, waves * self._mean_job_s))
            self._users.add(user_key)
            self._in_flight += 1

    def _release(self, user_key: str, duration_s: float | None) -> None:
        with self._lock:
            self._users.discard(user_key)
            self._in_flight -= 1
            if duration_s is not None:
                self._mean_job_s = 0.9 * self._mean_job_s + 0.1 * duration_s

    # ------------------------------------------------------------ running
    def _launcher(self, flavour: Flavour) -> Launcher:
        with self._lock:
            launcher = self._launchers.get(flavour)
            if launcher is None:
                launcher = self._launchers[flavour] = self._launcher_for(flavour)
            return launcher

    def _execute(self, job: SandboxJob) -> SandboxResult:
        return run_job(self._launcher(job.flavour), job, self._cgroups)

    def submit(self, job: SandboxJob, *, user_key: str) -> Future[SandboxResult]:
        """Admit (or raise Busy) and start the job; the future resolves when it has finished."""
        self._admit(job, user_key)
        started = time.monotonic()
        try:
            future = self._executor.submit(self._execute, job)
        except BaseException:
            self._release(user_key, None)
            raise
        future.add_done_callback(lambda _f: self._release(user_key, time.monotonic() - started))
        return future

    async def run(self, job: SandboxJob, *, user_key: str) -> SandboxResult:
        # The slot is released when the job really ends, even if this await is cancelled.
        return await asyncio.wrap_future(self.submit(job, user_key=user_key))

    def run_sync(self, job: SandboxJob, *, user_key: str) -> SandboxResult:
        return self.submit(job, user_key=user_key).result()

    def close_sync(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._on_close is not None:
            self._on_close()

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close_sync)

    def service_pids(self) -> dict[str, int]:
        """Pids of the running zygotes by flavour (for health checks and the containment tests)."""
        with self._lock:
            launchers = dict(self._launchers)
        pids = {flavour: getattr(launcher, "pid", None) for flavour, launcher in launchers.items()}
        return {flavour: pid for flavour, pid in pids.items() if isinstance(pid, int)}
