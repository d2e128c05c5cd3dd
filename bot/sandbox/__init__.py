"""Untrusted-code execution: isolation, limits, warm worker pool.

Public interface (a contract with bot.coding): SandboxJob -> CodeRunner.run -> SandboxResult.
Light to import: numpy, torch and the zygotes are loaded only when a job needs them.

How a job travels (one module per step):
  pool.PooledRunner      admission (one job per user, bounded queue -> Busy), worker threads
  execution.run_job      pipes, request out, capped stdout and result stream in, wall clock, demotion
  zygote_client          the parent's end of a zygote: start it (empty env, own session), hand over fds,
                         receive each job's pidfd (the parent kills jobs itself at the wall clock)
  cgroup                 per-job cgroup v2 leaves where the host delegates them (memory.max, pids.max)
  zygote                 fork server per flavour, jailed (jail.enter_zygote_root) and running as nobody
  jail / linux           namespaces, minimal read-only root, IPC limits, rlimits, capabilities; seccomp_filter
  child                  inside the jail: load the submission, run the trusted driver, send values
  wire / outcome         strict pickle-free encoding with per-job budgets; validation of everything the
                         child sent (anything unreadable: "your code's output could not be read: ...")
Comparisons never happen here: the checker compares the returned values in the parent.
"""

from bot.sandbox.api import (
    Busy,
    CaseOutput,
    CodeRunner,
    Flavour,
    IsolationUnavailable,
    RunStatus,
    SandboxJob,
    SandboxResult,
    SubmissionError,
)
from bot.sandbox.flavour import detect_flavour
from bot.sandbox.runner import get_runner

__all__ = [
    "Busy",
    "CaseOutput",
    "CodeRunner",
    "Flavour",
    "IsolationUnavailable",
    "RunStatus",
    "SandboxJob",
    "SandboxResult",
    "SubmissionError",
    "detect_flavour",
    "get_runner",
]
