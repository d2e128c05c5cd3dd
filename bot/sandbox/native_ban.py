"""The autograd ban's native layer: what a job cannot undo by any call it makes.

Python-level replacements (child.forbid_autograd) give the clear message, but everything in the job's
process belongs to the submission: a closure cell, a module holding an original, ctypes calling
`c10::GradMode::set_enabled` or rebuilding `run_backward` from the type's method table, or a new thread
(grad mode is per thread and on by default) walking `grad_fn` nodes by hand without the engine. So the
ban also cuts autograd where every such route meets, in the job's copy of libtorch's machine code:

- `c10::GradMode::is_enabled()` returns false. No operator then records a graph, in any thread, under
  any switch (`set_grad_enabled`, `enable_grad`, `inference_mode(False)`, functorch transforms), so
  there is nothing for the engine, `grad_fn` nodes or a TorchScript `autograd.grad` to differentiate.
- `torch::autograd::ForwardADLevel::get_next_idx()` returns level 0 without creating it, so making a
  dual tensor (forward mode, `torch.func.jvp/jacfwd`) fails inside libtorch.

The patched pages become private anonymous copies (so madvise cannot drop them back to the file's
bytes), and a stacked seccomp filter (NoNewCodeFilter) then forbids making any memory executable:
remapping the library file over the patch or injecting code fails with EPERM. What remains is
deliberate memory corruption through raw pointers (rewriting a writable GOT entry or a vtable pointer),
which no in-process guard can rule out; the README says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import sys
from dataclasses import dataclass

from bot.sandbox.seccomp_filter import NoNewCodeFilter

#: `return 0` in the machine's code: x86-64 `xor eax, eax; ret`, AArch64 `mov x0, #0; ret`.
_RETURN_ZERO = {"x86_64": b"\x31\xc0\xc3", "aarch64": b"\x00\x00\x80\xd2\xc0\x03\x5f\xd6"}
#: (library in torch/lib, exported symbol): each function is made to return 0.
TARGETS = (
    ("libc10.so", "_ZN3c108GradMode10is_enabledEv"),
    ("libtorch_cpu.so", "_ZN5torch8autograd14ForwardADLevel12get_next_idxEv"),
)
#: Modules with C extensions a solution (or torch, lazily: checkpoint needs _lsprof) may import, loaded in
#: the zygote since a banned job cannot map new code. Every stdlib extension is loaded too, but these.
PRELOADED_MODULES = ("numpy.fft", "numpy.random", "statistics", "decimal", "fractions", "hashlib", "cmath")
_SKIPPED_EXTENSIONS = ("_test", "_ctypes_test", "_xx", "xx", "_tkinter", "_curses", "readline", "nis", "spwd",
                       "ossaudiodev", "_crypt", "syslog", "termios")  # fmt: skip

_PROT_READ, _PROT_WRITE, _PROT_EXEC = 1, 2, 4
_MAP_PRIVATE, _MAP_FIXED, _MAP_ANONYMOUS = 0x02, 0x10, 0x20


class NativeBanUnavailable(RuntimeError):
    pass


@dataclass(frozen=True)
class _Plan:
    addresses: tuple[int, ...]
    code: bytes
    no_new_code: NoNewCodeFilter
    libc: ctypes.CDLL


_PLAN: _Plan | None = None
_UNAVAILABLE = "not prepared"


def prepare() -> None:
    """Once, in the torch zygote after torch is imported: resolve the targets and build the filter."""
    global _PLAN, _UNAVAILABLE
    import importlib

    import torch

    dynload = [p for p in sys.path if p.endswith("lib-dynload") and os.path.isdir(p)]
    extensions = sorted({f.split(".")[0] for d in dynload for f in os.listdir(d) if f.endswith(".so")})
    for name in (*PRELOADED_MODULES, *(e for e in extensions if not e.startswith(_SKIPPED_EXTENSIONS))):
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    code = _RETURN_ZERO.get(platform.machine())
    if code is None:
        _UNAVAILABLE = f"no patch for {platform.machine()}"
        return
    lib_dir = os.path.join(os.path.dirname(torch.__file__), "lib")
    addresses = []
    try:
        for library, symbol in TARGETS:
            function = getattr(ctypes.CDLL(os.path.join(lib_dir, library)), symbol)
            address = ctypes.cast(function, ctypes.c_void_p).value
            if not address:
                raise AttributeError(symbol)
            addresses.append(address)
    except (OSError, AttributeError) as exc:
        _UNAVAILABLE = f"torch {torch.__version__} lacks {exc}"
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_long,
    ]
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    _PLAN = _Plan(tuple(addresses), code, NoNewCodeFilter(), libc)


def _patch(libc: ctypes.CDLL, address: int, code: bytes) -> None:
    """Overwrite the function at `address` with `code`, on a private anonymous copy of its pages."""
    page_size = os.sysconf("SC_PAGE_SIZE")
    start = address & ~(page_size - 1)
    size = (address + len(code) - start + page_size - 1) & ~(page_size - 1)
    saved = ctypes.string_at(start, size)
    mapped = libc.mmap(
        start, size, _PROT_READ | _PROT_WRITE, _MAP_PRIVATE | _MAP_FIXED | _MAP_ANONYMOUS, -1, 0
    )
    if mapped != start:
        raise NativeBanUnavailable(f"mmap failed: {os.strerror(ctypes.get_errno())}")
    ctypes.memmove(start, saved, size)
    ctypes.memmove(address, code, len(code))
    if libc.mprotect(start, size, _PROT_READ | _PROT_EXEC) != 0:
        raise NativeBanUnavailable(f"mprotect failed: {os.strerror(ctypes.get_errno())}")


def apply() -> None:
    """In the job, before the submission runs: patch, check the effect, then forbid new code."""
    if _PLAN is None:
        raise NativeBanUnavailable(f"the autograd ban cannot be enforced here ({_UNAVAILABLE})")
    import torch

    for address in _PLAN.addresses:
        _patch(_PLAN.libc, address, _PLAN.code)
    torch._C._set_grad_enabled(True)
    if torch.is_grad_enabled():
        raise NativeBanUnavailable("grad mode still switches on after the patch")
    # oneDNN compiles its kernels at run time (float32 convolutions, LSTM), which needs executable
    # memory; torch's own kernels give the same results without it.
    torch.backends.mkldnn.enabled = False
    _PLAN.no_new_code.load()
