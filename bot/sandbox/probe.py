"""Can this machine isolate a child the way the zygote does? Checked once per process by running the
real jail steps in a throwaway subprocess (about 50 ms), so a missing feature is reported up front with
a fix, never discovered as a silently unsafe run."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
from pathlib import Path

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
_BOOT = "import sys; sys.path.insert(0, sys.argv.pop(1)); from bot.sandbox.probe import main; main()"

HOW_TO_FIX = (
    "The sandbox needs unprivileged user namespaces, mount/pid/net namespaces and seccomp (libseccomp2). "
    "Fix: `apt-get install libseccomp2`; allow user namespaces (`sysctl -w user.max_user_namespaces=15000`; "
    "on Ubuntu 23.10+ also `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`); in Docker run with "
    "`--security-opt seccomp=unconfined --security-opt apparmor=unconfined` (or --privileged). "
    "For local terminal use only, SANDBOX_ALLOW_UNSAFE_LOCAL=true runs code without isolation."
)


def main() -> None:
    """Runs in the probe subprocess: jail, fork, enter namespaces, lock down, check a denied call."""
    from bot.sandbox import jail, linux
    from bot.sandbox.seccomp_filter import SeccompFilter

    try:
        seccomp = SeccompFilter()
        proc_fd = jail.enter_zygote_root("numpy")
    except Exception as exc:
        print(f"cannot build the jail root: {type(exc).__name__}: {exc}", flush=True)
        os._exit(1)
    read_end, write_end = os.pipe()
    outer_ids = (os.geteuid(), os.getegid())
    try:
        pid = linux.fork_into_namespaces(jail.JOB_NAMESPACES)
    except OSError as exc:
        print(f"cannot create namespaces for a child: {exc}", flush=True)
        os._exit(1)
    if pid == 0:
        os.close(read_end)
        try:
            limits = jail.JobLimits(cpu_s=2, memory_mb=64)
            jail.settle_job_namespaces(proc_fd, *outer_ids, limits)
            os.close(proc_fd)
            jail.lock_down(limits, 1 << 32, seccomp)
            try:
                import socket

                socket.socket()
                os.write(write_end, b"seccomp did not block socket()")
            except PermissionError:
                os.write(write_end, b"ok")
        except Exception as exc:
            os.write(write_end, f"cannot isolate a child: {type(exc).__name__}: {exc}".encode())
        os._exit(0)
    os.close(write_end)
    answer = b""
    while chunk := os.read(read_end, 4096):
        answer += chunk
    os.waitpid(pid, 0)
    print(answer.decode() or "the isolated child died", flush=True)
    os._exit(0 if answer == b"ok" else 1)


@functools.lru_cache(maxsize=1)
def isolation_problem() -> str | None:
    """None when isolation works here, else what failed."""
    if not sys.platform.startswith("linux"):
        return f"isolation needs Linux, this is {sys.platform}"
    if platform.machine() != "x86_64":  # linux.py uses x86_64 syscall numbers and clone's argument order
        return f"isolation is implemented for x86_64 only, this is {platform.machine()}"
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _BOOT, _PACKAGE_PARENT],
            env={}, capture_output=True, timeout=60, cwd="/", start_new_session=True,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"the isolation probe did not run: {exc}"
    if done.returncode == 0:
        return None
    lines = (done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")).strip().splitlines()
    return lines[-1] if lines else f"the isolation probe failed (exit {done.returncode})"
