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

from bot.sandbox import jail, native_ban, wire

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
#: torch._C (and torch._C._functorch) functions that switch autograd on or enter a differentiation
#: transform. Replaced wherever a loaded module holds them (see index_autograd_entry_points).
_C_SWITCHES = ("_set_fwd_grad_enabled", "_enter_dual_level", "_jit_script_compile",
               "_jit_script_class_compile", "_create_function_from_trace",
               "_create_function_from_trace_with_dict")  # fmt: skip
_FUNCTORCH_SWITCHES = ("_grad_increment_nesting", "_jvp_increment_nesting")
#: Where each switch (and torch._C._set_grad_enabled) is bound: [(module, attribute, original)].
_ENTRY_POINTS: list[tuple[types.ModuleType, str, Any]] = []


def index_autograd_entry_points() -> None:
    """Once, in the torch zygote: find every module attribute bound to an autograd switch (modules do
    `from torch._C import ...`), so each job can replace them all in microseconds."""
    import torch

    targets: dict[int, Any] = {}
    for owner, names in ((torch._C, (*_C_SWITCHES, "_set_grad_enabled")),
                         (getattr(torch._C, "_functorch", None), _FUNCTORCH_SWITCHES)):  # fmt: skip
        for name in names:
            if owner is not None and hasattr(owner, name):
                targets[id(getattr(owner, name))] = getattr(owner, name)
    _ENTRY_POINTS.clear()
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)
        if not isinstance(module, types.ModuleType) or not isinstance(namespace, dict):
            continue
        for attribute, value in list(namespace.items()):
            if id(value) in targets and value is targets[id(value)]:
                _ENTRY_POINTS.append((module, attribute, value))


def _replace_type_attribute(cls: type, name: str, value: Any) -> None:
    """Set an attribute on a built-in (C) type, whose __dict__ is read-only from Python: every
    instance, including ones made later or found through object.__subclasses__(), then uses it."""
    import ctypes
    import gc

    real_dict = gc.get_referents(cls.__dict__)[0]
    real_dict[name] = value
    ctypes.pythonapi.PyType_Modified(ctypes.py_object(cls))


def forbid_autograd() -> None:  # noqa: C901 (a flat list of switches to disable, one branch each)
    """Task policy: any way into the autograd engine raises a clear error.

    The guard sits where every reverse-mode path meets, not on a list of names: the C++ engine's
    Python class (`torch._C._ImperativeEngine`) gets refusing `run_backward`/`queue_callback` at the
    type level, so `Tensor.backward`, `torch.autograd.grad`, `torch.func.grad/vjp/jacrev`, a fresh
    `_ImperativeEngine()` or one dug out with `__subclasses__` all refuse. Forward-mode AD (dual levels,
    `torch.func.jvp/jacfwd`), functorch transforms and TorchScript (whose C++ code calls the engine
    directly) have their entry switches replaced wherever a module holds them, and grad mode is off
    and cannot be switched on from this thread. The usual names also get the same clear message.

    All of this is Python the submission could undo (originals sit in closures and in _ENTRY_POINTS,
    ctypes reaches C++ directly): it exists for the message. native_ban.apply() is the enforcement.
    """
    import torch

    def refuse(*_args: object, **_kwargs: object) -> Any:
        raise RuntimeError(AUTOGRAD_MESSAGE)

    set_grad_enabled = torch._C._set_grad_enabled

    def grad_mode_guard(mode: bool, *_args: object) -> None:
        if mode:
            refuse()
        set_grad_enabled(False)

    set_grad_enabled(False)
    engine = getattr(torch._C, "_ImperativeEngine", None)
    if engine is not None:
        for name in ("run_backward", "queue_callback"):
            if name in engine.__dict__:
                _replace_type_attribute(engine, name, refuse)
    if not _ENTRY_POINTS:
        index_autograd_entry_points()
    for module, attribute, original in _ENTRY_POINTS:
        setattr(module, attribute, grad_mode_guard if original is set_grad_enabled else refuse)

    class _RefusingEngine:
        def __getattr__(self, _name: str) -> Any:
            return refuse

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
    for name in ("script", "trace", "trace_module"):
        if hasattr(torch.jit, name):
            setattr(torch.jit, name, refuse)
    torch.compile = refuse  # type: ignore[assignment]
    forward_ad = sys.modules.get("torch.autograd.forward_ad")
    if forward_ad is not None:
        for name in ("dual_level", "enter_dual_level", "make_dual"):
            if hasattr(forward_ad, name):
                setattr(forward_ad, name, refuse)

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
    for module_name in ("torch.func", "torch._functorch.eager_transforms", "torch._functorch.apis"):
        func = sys.modules.get(module_name)
        if func is not None:
            for name in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "linearize"):
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
        _reseed_global_generators()
        # Only the torch worker has torch preloaded; in the numpy worker there is no autograd to forbid.
        if request.get("forbid_autograd") and "torch" in sys.modules:
            native_ban.apply()  # what the submission cannot undo (see native_ban)
            forbid_autograd()  # the clear message on the usual routes
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


def _reseed_global_generators() -> None:
    """Every job inherits the zygote's generator states: without a fresh seed, code drawing from
    numpy's or torch's global generator would get the same numbers in every job."""
    seed = int.from_bytes(os.urandom(4), "little")
    import numpy

    numpy.random.seed(seed)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


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
