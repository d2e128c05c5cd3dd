"""The sandbox's public types: what the checker submits and what it gets back (an interface contract).

These are plain data; nothing here imports numpy, torch or discord, so every layer can use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

Flavour = Literal["numpy", "torch"]
#: "error": the submission failed to load (syntax error, exception at import).
RunStatus = Literal["ok", "timeout", "memory", "crashed", "error"]


@dataclass(frozen=True)
class SandboxJob:
    """One untrusted submission and the cases to run it on.

    `driver` is trusted source defining `run_case(module, case) -> object`; it runs inside the jail after
    the submission is imported as module `submission`. `cases` carry inputs only, never expected values.
    """

    submission: str
    driver: str
    cases: tuple[dict, ...]
    flavour: Flavour = "numpy"
    forbid_autograd: bool = False
    time_limit_s: float = 5.0
    memory_mb: int = 512


@dataclass(frozen=True)
class SubmissionError:
    type: str
    message: str
    line: int | None
    source_line: str | None
    traceback: str


@dataclass(frozen=True)
class CaseOutput:
    ok: bool
    value: object | None
    error: SubmissionError | None


@dataclass(frozen=True)
class SandboxResult:
    status: RunStatus
    outputs: tuple[CaseOutput, ...]
    load_error: SubmissionError | None
    stdout: str
    duration_ms: float
    detail: str = ""


class Busy(Exception):
    """The queue is full, or this user already has a job queued or running."""

    def __init__(self, retry_after_s: float, message: str | None = None) -> None:
        self.retry_after_s = float(retry_after_s)
        super().__init__(message or f"busy, try again in {max(1, round(self.retry_after_s))} s")


class IsolationUnavailable(Exception):
    """The kernel features the sandbox needs are missing; the message says what and how to fix it."""


@runtime_checkable
class CodeRunner(Protocol):
    """The one async interface the bot uses to run untrusted code (docs/architecture.md §7)."""

    async def run(self, job: SandboxJob, *, user_key: str) -> SandboxResult: ...

    async def close(self) -> None: ...
