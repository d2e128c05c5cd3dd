"""Untrusted-code execution: isolation, limits, warm worker pool (DESIGN.md §7, research/sandbox.md).

Public interface (a contract with bot.coding): SandboxJob -> CodeRunner.run -> SandboxResult.
Light to import: numpy, torch and the zygotes are loaded only when a job needs them.

How a job travels (one module per step):
  pool.PooledRunner      admission (one job per user, bounded queue -> Busy), worker threads
  execution.run_job      pipes, request out, capped stdout and result stream in, wall clock, demotion
  zygote_client          the parent's end of a zygote: start it (empty env, own session), hand over fds
  zygote                 fork server per flavour, jailed (jail.enter_zygote_root) and running as nobody
  jail / linux           namespaces, minimal read-only root, rlimits, capabilities; seccomp_filter
  child                  inside the jail: load the submission, run the trusted driver, send values
  wire / outcome         strict pickle-free encoding; validation of everything the child sent
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
