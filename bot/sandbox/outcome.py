"""Turn what came back from a jailed child (untrusted frames + how the process ended) into a result.

Every field is validated: a message of the wrong shape, a case out of order or a case too many makes
the run "crashed" ("sent a malformed result") instead of being believed.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox import wire
from bot.sandbox.api import CaseOutput, RunStatus, SandboxJob, SandboxResult, SubmissionError

SETUP_FAILED_EXIT = 121
#: The start of `detail` when the child's results could not be decoded or were not believable.
UNREADABLE = "your code's output could not be read"


class MalformedResult(ValueError):
    pass


@dataclass
class RawRun:
    frames: list[bytes] = field(default_factory=list)
    stream_error: str | None = None  # the result stream itself was bad (oversized, cut mid-frame)
    stdout: bytes = b""
    exit_code: int | None = None
    failure: str | None = None  # the service could not run or report the job
    timed_out: bool = False
    duration_ms: float = 0.0
    decode_deadline: float | None = None  # reading the results counts against the job's time
    oom_killed: bool = False  # the job's cgroup hit memory.max


def _str(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise MalformedResult("expected a string")
    return value[:limit]


def parse_error(raw: Any) -> SubmissionError:
    if not isinstance(raw, dict):
        raise MalformedResult("error is not a mapping")
    line = raw.get("line")
    source_line = raw.get("source_line")
    if line is not None and (type(line) is not int or line < 0):
        raise MalformedResult("bad line number")
    return SubmissionError(
        type=_str(raw.get("type"), 200),
        message=_str(raw.get("message"), 2000),
        line=line,
        source_line=_str(source_line, 500) if source_line is not None else None,
        traceback=_str(raw.get("traceback"), 4000),
    )


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


class _Messages:
    """Reads the child's result frames in order, one handler per message kind; the first unreadable or
    out-of-order message ends the reading (`malformed`)."""

    def __init__(self, job: SandboxJob, raw: RawRun) -> None:
        self.job = job
        self.outputs: list[CaseOutput] = []
        self.load_error: SubmissionError | None = None
        self.done = False
        self.setup_error: str | None = None
        self.malformed = raw.stream_error
        self._budget = wire.DecodeBudget(deadline=raw.decode_deadline)
        self._handlers = {"case": self.on_case, "load_error": self.on_load_error, "done": self.on_done,
                          "setup_error": self.on_setup_error}

    def read(self, frames: list[bytes]) -> None:
        for payload in frames:
            if self.malformed:
                return
            try:
                self.read_one(payload)
            except (wire.WireError, MalformedResult) as exc:
                self.malformed = str(exc)
            except Exception as exc:  # never a traceback: whatever went wrong, the output was unreadable
                self.malformed = f"unexpected {type(exc).__name__}"

    def read_one(self, payload: bytes) -> None:
        message = wire.decode(payload, self._budget)
        if not isinstance(message, dict):
            raise MalformedResult("message is not a mapping")
        kind = message.get("kind")
        if self.done or (self.load_error is not None and kind != "done"):
            raise MalformedResult("message after the end")
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            raise MalformedResult(f"unknown message kind {kind!r}")
        handler(message)

    def on_case(self, message: dict[str, Any]) -> None:
        if message.get("index") != len(self.outputs) or len(self.outputs) >= len(self.job.cases):
            raise MalformedResult("case out of order")
        ok = message.get("ok")
        if ok is True:
            self.outputs.append(CaseOutput(ok=True, value=message.get("value"), error=None))
        elif ok is False:
            self.outputs.append(CaseOutput(ok=False, value=None, error=parse_error(message.get("error"))))
        else:
            raise MalformedResult("case without ok flag")

    def on_load_error(self, message: dict[str, Any]) -> None:
        if self.outputs:
            raise MalformedResult("load error after cases")
        self.load_error = parse_error(message.get("error"))

    def on_done(self, message: dict[str, Any]) -> None:
        self.done = True

    def on_setup_error(self, message: dict[str, Any]) -> None:
        self.setup_error = _str(message.get("message"), 500)

    @property
    def memory_hit(self) -> bool:
        errors = [self.load_error, *(o.error for o in self.outputs)]
        return any(error is not None and error.type == "MemoryError" for error in errors)


def _status(job: SandboxJob, raw: RawRun, read: _Messages) -> tuple[RunStatus, str]:
    """The run's status and its detail, the first rule that applies winning (a timeout beats all)."""
    code = raw.exit_code
    if code is not None and code < 0:  # killed by a signal (waitstatus_to_exitcode convention)
        code = 128 - code
    if raw.timed_out:
        return "timeout", f"killed after {job.time_limit_s:g} s"
    if read.memory_hit or raw.oom_killed:
        return "memory", f"exceeded {job.memory_mb} MB"
    if read.malformed:
        return "crashed", f"{UNREADABLE}: {read.malformed}"
    if read.load_error is not None:
        return "error", ""
    if read.done and len(read.outputs) == len(job.cases):
        return "ok", ""
    if raw.failure is not None:
        return "crashed", raw.failure
    if read.setup_error is not None and code == SETUP_FAILED_EXIT:
        return "crashed", f"sandbox setup failed: {read.setup_error}"
    if code is not None and code > 128:
        number = code - 128
        if number in (signal.SIGXCPU, signal.SIGKILL):
            return "timeout", f"CPU time limit reached ({_signal_name(number)})"
        return "crashed", f"killed by {_signal_name(number)}"
    return "crashed", f"exited (code {code}) before returning all results" if code is not None else "no result"


def assemble(job: SandboxJob, raw: RawRun) -> SandboxResult:
    """The job's result from what the parent collected: its frames (read within the decode budget), its
    exit and the parent's own observations (timeout, OOM kill, failures)."""
    read = _Messages(job, raw)
    read.read(raw.frames)
    status, detail = _status(job, raw, read)
    return SandboxResult(
        status=status,
        outputs=tuple(read.outputs),
        load_error=read.load_error,
        stdout=raw.stdout.decode("utf-8", "replace"),
        duration_ms=raw.duration_ms,
        detail=detail,
    )
