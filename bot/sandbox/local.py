"""The UNISOLATED runner for terminal use on machines without namespaces (SANDBOX_ALLOW_UNSAFE_LOCAL).

Each job runs in a fresh interpreter with rlimits, a wall clock and an almost empty environment, but
it can read your files and use your network. Never use it for code from other people.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

from bot.sandbox.handles import JobHandle
from bot.sandbox.jail import JobLimits
from bot.sandbox.zygote_client import zygote_environment

WARNING = (
    "WARNING: SANDBOX_ALLOW_UNSAFE_LOCAL is on — submissions run WITHOUT isolation and can read your "
    "files and use your network. Only run code you trust."
)
_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from bot.sandbox.local import child_main; child_main(sys.argv[1:])"
)
_warned = threading.Event()


def warn_once() -> None:
    if not _warned.is_set():
        _warned.set()
        print(WARNING, file=sys.stderr, flush=True)


def child_main(argv: list[str]) -> None:
    """In the unisolated child: limits, preload, then the same job loop as the jail."""
    flavour, cpu_s, memory_mb, request_fd, result_fd = argv[0], *map(int, argv[1:5])
    import numpy  # noqa: F401

    if flavour == "torch":
        import torch

        torch.set_num_threads(1)
    from bot.sandbox import child

    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (8 * mb, 8 * mb))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with open("/proc/self/status") as status:
        vm = next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:")), 0)
    resource.setrlimit(resource.RLIMIT_AS, (vm + memory_mb * mb,) * 2)
    child.serve_job(request_fd, result_fd)


class LocalLauncher:
    def __init__(self, flavour: str) -> None:
        self.flavour = flavour

    def prepare(self) -> None:
        """Nothing is kept warm: each job starts its own interpreter."""

    def spawn(self, limits: JobLimits, fds: tuple[int, int, int]) -> JobHandle:
        req_r, res_w, out_w = fds
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, _PACKAGE_PARENT, self.flavour, str(limits.cpu_s),
             str(limits.memory_mb), str(req_r), str(res_w)],
            env=zygote_environment(), stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
            pass_fds=(req_r, res_w), start_new_session=True, cwd="/",
        )  # fmt: skip
        handle = JobHandle(kill=process.kill, demote=lambda: os.setpriority(os.PRIO_PROCESS, process.pid, 19))
        try:
            handle.attach(process.pid, os.pidfd_open(process.pid))
        except OSError:
            handle.attach(process.pid, None)
        threading.Thread(target=lambda: handle.finish(process.wait()), daemon=True,
                         name="sandbox-local-wait").start()  # fmt: skip
        return handle
