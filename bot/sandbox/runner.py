"""get_runner: the warm zygote pool by default; the unisolated local runner only when explicitly allowed."""

from __future__ import annotations

import atexit
import threading

from bot.sandbox.api import Flavour, IsolationUnavailable
from bot.sandbox.cgroup import JobCgroups
from bot.sandbox.cgroup import detect as detect_cgroups
from bot.sandbox.local import LocalLauncher, warn_once
from bot.sandbox.pool import PooledRunner
from bot.sandbox.probe import HOW_TO_FIX, isolation_problem
from bot.sandbox.zygote_client import ZygoteClient, close_all_zygotes

_atexit_lock = threading.Lock()
_atexit_registered = False


def _register_atexit() -> None:
    global _atexit_registered
    with _atexit_lock:
        if not _atexit_registered:
            atexit.register(close_all_zygotes)
            _atexit_registered = True


def make_warm_runner(*, slots: int = 4, queue_limit: int = 32, cgroup: str | None = None,
                     job_cgroups: JobCgroups | None = None) -> PooledRunner:  # fmt: skip
    """The isolated warm pool, without the availability check (get_runner does that). Per-job cgroups
    are used where the host delegates cgroup v2 (detected once per process; see bot.sandbox.cgroup)."""
    _register_atexit()
    if job_cgroups is not None:
        cgroups, isolation = job_cgroups, f"per-job cgroups under {job_cgroups.parent}"
    else:
        cgroups, isolation = detect_cgroups(cgroup)
    zygotes: dict[Flavour, ZygoteClient] = {}

    def launcher_for(flavour: Flavour) -> ZygoteClient:
        client = zygotes[flavour] = ZygoteClient(flavour)
        return client

    def close_zygotes() -> None:
        for client in zygotes.values():
            client.close()

    return PooledRunner(launcher_for, slots=slots, queue_limit=queue_limit, on_close=close_zygotes,
                        cgroups=cgroups, isolation=isolation)  # fmt: skip


def make_local_runner(*, slots: int = 2, queue_limit: int = 32) -> PooledRunner:
    warn_once()
    return PooledRunner(LocalLauncher, slots=slots, queue_limit=queue_limit)


def get_runner(*, slots: int, queue_limit: int, cgroup: str | None = None,
               allow_unsafe_local: bool = False) -> PooledRunner:
    """The warm pool (default). Raises IsolationUnavailable where namespaces/seccomp are missing, unless
    `allow_unsafe_local` (terminal mode only): then an unisolated local runner that prints a loud warning
    once. Zygotes start lazily, on the first job of their flavour. Front ends pass their settings in
    (`bot.services.code_runner_for`)."""
    problem = isolation_problem()
    if problem is None:
        return make_warm_runner(slots=slots, queue_limit=queue_limit, cgroup=cgroup)
    if allow_unsafe_local:
        return make_local_runner(slots=slots, queue_limit=queue_limit)
    raise IsolationUnavailable(f"code sandbox unavailable: {problem}. {HOW_TO_FIX}")
