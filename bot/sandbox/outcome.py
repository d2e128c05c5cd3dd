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


def assemble(job: SandboxJob, raw: RawRun) -> SandboxResult:
    outputs: list[CaseOutput] = []
    load_error: SubmissionError | None = None
    done = False
    setup_error: str | None = None
    malformed = raw.stream_error
    budget = wire.DecodeBudget(deadline=raw.decode_deadline)
    for payload in raw.frames:
        if malformed:
            break
        try:
            message = wire.decode(payload, budget)
            if not isinstance(message, dict):
                raise MalformedResult("message is not a mapping")
            kind = message.get("kind")
            if done or (load_error is not None and kind != "done"):
                raise MalformedResult("message after the end")
            if kind == "case":
                if message.get("index") != len(outputs) or len(outputs) >= len(job.cases):
                    raise MalformedResult("case out of order")
                ok = message.get("ok")
                if ok is True:
                    outputs.append(CaseOutput(ok=True, value=message.get("value"), error=None))
                elif ok is False:
                    outputs.append(CaseOutput(ok=False, value=None, error=parse_error(message.get("error"))))
                else:
                    raise MalformedResult("case without ok flag")
            elif kind == "load_error":
                if outputs:
                    raise MalformedResult("load error after cases")
                load_error = parse_error(message.get("error"))
            elif kind == "done":
                done = True
            elif kind == "setup_error":
                setup_error = _str(message.get("message"), 500)
            else:
                raise MalformedResult(f"unknown message kind {kind!r}")
        except (wire.WireError, MalformedResult) as exc:
            malformed = str(exc)
        except Exception as exc:  # never a traceback: whatever went wrong, the output was unreadable
            malformed = f"unexpected {type(exc).__name__}"

    status: RunStatus
    detail = ""
    memory_hit = (load_error is not None and load_error.type == "MemoryError") or any(
        o.error is not None and o.error.type == "MemoryError" for o in outputs
    )
    code = raw.exit_code
    if code is not None and code < 0:  # killed by a signal (waitstatus_to_exitcode convention)
        code = 128 - code
    if raw.timed_out:
        status, detail = "timeout", f"killed after {job.time_limit_s:g} s"
    elif memory_hit or raw.oom_killed:
        status, detail = "memory", f"exceeded {job.memory_mb} MB"
    elif malformed:
        status, detail = "crashed", f"{UNREADABLE}: {malformed}"
    elif load_error is not None:
        status = "error"
    elif done and len(outputs) == len(job.cases):
        status = "ok"
    elif raw.failure is not None:
        status, detail = "crashed", raw.failure
    elif setup_error is not None and code == SETUP_FAILED_EXIT:
        status, detail = "crashed", f"sandbox setup failed: {setup_error}"
    elif code is not None and code > 128:
        number = code - 128
        if number in (signal.SIGXCPU, signal.SIGKILL):
            status, detail = "timeout", f"CPU time limit reached ({_signal_name(number)})"
        else:
            status, detail = "crashed", f"killed by {_signal_name(number)}"
    else:
        status = "crashed"
        detail = f"exited (code {code}) before returning all results" if code is not None else "no result"
    return SandboxResult(
        status=status,
        outputs=tuple(outputs),
        load_error=load_error,
        stdout=raw.stdout.decode("utf-8", "replace"),
        duration_ms=raw.duration_ms,
        detail=detail,
    )
