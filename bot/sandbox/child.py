"""What runs inside the jail (the job process): read the job, import the submission, run the trusted driver per case,
send values back. Nothing here judges a value — comparison happens in the parent.

Everything in this process is reachable by the submission, so nothing here is trusted by the parent
either: the worst a submission can do to this code is change the values it sends, which is no more than
returning those values from its own functions.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import os
import sys
import traceback
import types
from typing import Any

from bot.sandbox import jail, wire

SUBMISSION_FILENAME = "submission.py"
DRIVER_FILENAME = "driver.py"
AUTOGRAD_MESSAGE = "autograd is not allowed in this task"
_MAX_MESSAGE = 2000
_MAX_TRACEBACK = 4000
OUTPUT_CAP_BYTES = 64 * 1024  # what the parent keeps (execution.STDOUT_CAP_BYTES)
_SANE_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}


# ---------------------------------------------------------------- errors, as a candidate sees them
def _scrub(text: str) -> str:
    """Host paths mean nothing to a candidate and tell an attacker about the host: shorten them."""
    for prefix in sorted({sys.prefix, sys.base_prefix, sys.exec_prefix}, key=len, reverse=True):
        if prefix and prefix != "/":
            text = text.replace(prefix, "<python>")
    return text


def describe_error(exc: BaseException, submission_lines: list[str]) -> dict[str, Any]:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SUBMISSION_FILENAME]
    line: int | None = frames[-1].lineno if frames else None
    type_name = type(exc).__name__
    if isinstance(exc, MemoryError) or (
        isinstance(exc, RuntimeError) and "can't allocate memory" in str(exc)
    ):
        type_name = "MemoryError"
    if isinstance(exc, SyntaxError) and exc.filename == SUBMISSION_FILENAME:
        line = exc.lineno
        message = exc.msg or str(exc)
    else:
        try:
            message = str(exc)
        except Exception:
            message = "<unprintable exception>"
    source_line = None
    if line is not None and 1 <= line <= len(submission_lines):
        source_line = submission_lines[line - 1].rstrip("\n")
    tb_text = "".join(traceback.format_list(frames)) + f"{type_name}: {message}\n"
    if frames:
        tb_text = "Traceback (most recent call last):\n" + tb_text
    return {
        "type": type_name[:200],
        "message": _scrub(message)[:_MAX_MESSAGE],
        "line": line,
        "source_line": source_line[:500] if source_line is not None else None,
        "traceback": _scrub(tb_text)[-_MAX_TRACEBACK:],
    }


# ---------------------------------------------------------------- autograd policy (torch flavour)
def forbid_autograd() -> None:
    """Task policy, not security: make every usual autograd entry point raise a clear error."""
    import torch

    def refuse(*_args: object, **_kwargs: object) -> Any:
        raise RuntimeError(AUTOGRAD_MESSAGE)

    class _RefusingEngine:
        def __getattr__(self, _name: str) -> Any:
            return refuse

    torch.set_grad_enabled(False)
    torch.Tensor.backward = refuse  # type: ignore[method-assign]
    torch.Tensor.retain_grad = refuse  # type: ignore[method-assign]
    torch.autograd.backward = refuse  # type: ignore[assignment]
    torch.autograd.grad = refuse  # type: ignore[assignment]
    torch.enable_grad = refuse  # type: ignore[assignment,misc]
    torch.autograd.enable_grad = refuse  # type: ignore[assignment,misc]
    torch.autograd.variable.Variable._execution_engine = _RefusingEngine()  # type: ignore[attr-defined]
    graph = getattr(torch.autograd, "graph", None)
    if graph is not None and hasattr(graph, "_engine_run_backward"):
        graph._engine_run_backward = refuse
    for name in ("jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"):
        setattr(torch.autograd.functional, name, refuse)

    base_requires_grad = torch._C.TensorBase.requires_grad

    def _set_requires_grad(self: Any, value: bool) -> None:
        if value:
            refuse()
        base_requires_grad.__set__(self, value)

    def _requires_grad_(self: Any, requires_grad: bool = True) -> Any:
        if requires_grad:
            refuse()
        return self

    torch.Tensor.requires_grad = property(base_requires_grad.__get__, _set_requires_grad)  # type: ignore[assignment]
    torch.Tensor.requires_grad_ = _requires_grad_  # type: ignore[method-assign]
    func = sys.modules.get("torch.func")
    if func is not None:
        for name in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"):
            if hasattr(func, name):
                setattr(func, name, refuse)


# ---------------------------------------------------------------- the run
class _ResultChannel:
    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._write = os.write

    def send(self, message: dict[str, Any]) -> None:
        data = memoryview(wire.frame(message))
        while data:
            written = self._write(self._fd, data)
            data = data[written:]


class _CappedOutput(io.TextIOBase):
    """stdout/stderr for the submission: output past the cap (which the parent would drop anyway) is
    discarded here, and a closed pipe never turns a debugging print into a failed case."""

    def __init__(self, fd: int, cap: int) -> None:
        self._fd = fd
        self._left = cap

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if self._left > 0:
            data = str(text).encode("utf-8", "replace")[: self._left]
            self._left -= len(data)
            with contextlib.suppress(OSError):
                while data:
                    data = data[os.write(self._fd, data) :]
        return len(text)


def _install_stdio() -> None:
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = _CappedOutput(1, OUTPUT_CAP_BYTES)
    sys.stderr = _CappedOutput(2, OUTPUT_CAP_BYTES)
    sys.__stdout__, sys.__stderr__, sys.__stdin__ = sys.stdout, sys.stderr, sys.stdin


def serve_job(request_fd: int, result_fd: int) -> None:
    """Run one job end to end and exit the process. Never returns."""
    channel = _ResultChannel(result_fd)
    try:
        with io.FileIO(request_fd, "r", closefd=True) as requests:
            payload = wire.read_frame(requests.readinto)
        if payload is None:
            raise EOFError("no request")
        request = wire.decode(payload)
        os.environ.clear()
        os.environ.update(_SANE_ENV, HOME=jail.SCRATCH_DIR, TMPDIR=jail.SCRATCH_DIR)
        os.chdir(jail.SCRATCH_DIR)
        _install_stdio()
        # Only the torch worker has torch preloaded; in the numpy worker there is no autograd to forbid.
        if request.get("forbid_autograd") and "torch" in sys.modules:
            forbid_autograd()
        _run(request, channel)
        channel.send({"kind": "done"})
        # Close our pipe ends now: the parent has everything and need not wait for our exit.
        for fd in (1, 2, result_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
    except BaseException as exc:  # a broken pipe or worse: report if we still can
        with contextlib.suppress(BaseException):
            channel.send({"kind": "setup_error", "message": f"{type(exc).__name__}: {exc}"[:500]})
    os._exit(0)


def _run(request: dict[str, Any], channel: _ResultChannel) -> None:
    source: str = request["submission"]
    lines = source.splitlines(keepends=True)
    linecache.cache[SUBMISSION_FILENAME] = (len(source), None, lines, SUBMISSION_FILENAME)
    module = types.ModuleType("submission")
    module.__file__ = SUBMISSION_FILENAME
    sys.modules["submission"] = module
    try:
        exec(compile(source, SUBMISSION_FILENAME, "exec"), module.__dict__)
    except BaseException as exc:
        channel.send({"kind": "load_error", "error": describe_error(exc, lines)})
        return
    driver_globals: dict[str, Any] = {"__name__": "driver", "__file__": DRIVER_FILENAME}
    exec(compile(request["driver"], DRIVER_FILENAME, "exec"), driver_globals)
    run_case = driver_globals["run_case"]
    for index, case in enumerate(request["cases"]):
        try:
            value = run_case(module, case)
            channel.send({"kind": "case", "index": index, "ok": True, "value": value})
        except wire.UnsupportedValue as exc:
            error = {"type": "TypeError", "message": f"cannot return this value: {exc}", "line": None,
                     "source_line": None, "traceback": f"TypeError: cannot return this value: {exc}\n"}  # fmt: skip
            channel.send({"kind": "case", "index": index, "ok": False, "error": error})
        except BaseException as exc:
            error = describe_error(exc, lines)
            channel.send({"kind": "case", "index": index, "ok": False, "error": error})
            if error["type"] == "MemoryError":
                return
