"""The warm fork server ("zygote"): one per flavour, started by the parent with an empty environment
in its own session. It jails itself (jail.enter_zygote_root), drops to nobody, preloads numpy (and
torch), then forks one job process per job, straight into new namespaces. It never reads a submission: the parent hands each job's three pipe
ends over SCM_RIGHTS and the jailed child reads them itself.

Control protocol over a SOCK_SEQPACKET socket, messages in the strict wire format:
  parent -> zygote  {"op": "spawn", "id", "limits"} + fds (request_r, result_w, stdout_w)
                    {"op": "kill", "id"}
  zygote -> parent  {"op": "ready", "pid"} | {"op": "failed", "error"}
                    {"op": "started", "id", "pid"} + the job's pidfd
                  {"op": "exited", "id", "code"}  (code: waitstatus_to_exitcode)
                    {"op": "spawn_failed", "id", "error"}
The zygote exits when the control socket closes (parent gone), killing every job it started.
"""

from __future__ import annotations

import array
import contextlib
import fcntl
import gc
import os
import select
import selectors
import signal
import socket
import sys
import traceback
from typing import Any

from bot.sandbox import child, jail, linux, native_ban, wire
from bot.sandbox.seccomp_filter import SeccompFilter

_MAX_FDS = 3


def _send(sock: socket.socket, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
    ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())] if fds else []
    sock.sendmsg([wire.encode(message)], ancillary)


def _recv(sock: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    data, ancdata, _flags, _addr = sock.recvmsg(1 << 16, socket.CMSG_SPACE(_MAX_FDS * 4))
    fds: list[int] = []
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds_array = array.array("i")
            fds_array.frombytes(payload[: len(payload) - (len(payload) % fds_array.itemsize)])
            fds.extend(fds_array)
    if not data:
        return None, fds
    return wire.decode(data), fds


class _TorchBlocker:
    """numpy jails hide torch's files; this turns the confusing half-import into a clear error."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".")[0] in jail.TORCH_PACKAGES:
            raise ImportError("torch is not available for this task (numpy only)")
        return None


def _preload(flavour: str) -> None:
    import numpy

    numpy.ones((4, 4)) @ numpy.ones((4, 4))
    numpy.random.default_rng(0).random(4)
    if flavour == "torch":
        import torch
        import torch.nn.functional

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        torch.nn.functional.relu(torch.ones(4, dtype=torch.float64) @ torch.ones(4, dtype=torch.float64))
        torch.from_numpy(numpy.ones(3)).numpy()
        import torch.autograd.forward_ad
        import torch.func  # loaded here so the autograd ban finds its entry points

        child.index_autograd_entry_points()
        native_ban.prepare()
    else:
        sys.meta_path.insert(0, _TorchBlocker())  # type: ignore[arg-type]


def _job_process(fds: list[int], proc_fd: int, limits: jail.JobLimits, seccomp: SeccompFilter,
                 outer_ids: tuple[int, int], zygote_pidfd: int) -> None:  # fmt: skip
    """The job process: born in new namespaces as PID 1, it settles them, locks down and runs the job.
    Never returns."""
    result_fd = fds[1]
    try:
        linux.prctl(linux.PR_SET_PDEATHSIG, signal.SIGKILL)
        if select.select([zygote_pidfd], [], [], 0)[0]:
            os._exit(1)  # the zygote died before the death signal was armed: nobody would stop us
        # Fixed layout: 0 /dev/null, 1+2 stdout pipe, 3 request, 4 result, 5 /proc. Everything else closed.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in (*fds, proc_fd)]
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(high[2], 1)
        os.dup2(high[2], 2)
        os.dup2(high[0], 3)
        os.dup2(high[1], 4)
        os.dup2(high[3], 5)
        os.closerange(6, 1 << 20)
        result_fd = 4
        vm_base = jail.read_vm_size_bytes(5)
        jail.settle_job_namespaces(5, *outer_ids, limits)
        os.close(5)
        jail.lock_down(limits, vm_base, seccomp)
        child.serve_job(3, 4)
    except BaseException as exc:
        try:
            os.write(
                result_fd, wire.frame({"kind": "setup_error", "message": f"{type(exc).__name__}: {exc}"})
            )
        finally:
            os._exit(121)


def serve(sock: socket.socket, proc_fd: int, seccomp: SeccompFilter) -> None:  # noqa: C901 (the zygote's request loop)
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ, None)
    jobs: dict[int, tuple[int, int]] = {}  # job id -> (pid, pidfd)
    outer_ids = (os.geteuid(), os.getegid())
    own_pidfd = os.pidfd_open(os.getpid())
    while True:
        for key, _ in selector.select():
            if key.data is None:
                try:
                    message, fds = _recv(sock)
                except (OSError, wire.WireError):
                    message, fds = None, []
                if message is None:
                    for pid, _pidfd in jobs.values():
                        with contextlib.suppress(OSError):
                            os.kill(pid, signal.SIGKILL)
                    os._exit(0)
                if not isinstance(message, dict):
                    message = {}
                op, job_id = message.get("op"), message.get("id")
                if op == "spawn" and len(fds) == _MAX_FDS:
                    try:
                        limits = jail.JobLimits(**message["limits"])
                        pid = linux.fork_into_namespaces(jail.JOB_NAMESPACES)
                    except Exception as exc:
                        for fd in fds:
                            os.close(fd)
                        _send(sock, {"op": "spawn_failed", "id": job_id, "error": str(exc)})
                        continue
                    if pid == 0:
                        _job_process(fds, proc_fd, limits, seccomp, outer_ids, own_pidfd)
                    for fd in fds:
                        os.close(fd)
                    pidfd = os.pidfd_open(pid)
                    jobs[job_id] = (pid, pidfd)
                    selector.register(pidfd, selectors.EVENT_READ, job_id)
                    # The parent gets its own pidfd of the job: it kills the job itself at the wall
                    # clock, even if this zygote is stopped or gone, and places it in its cgroup.
                    _send(sock, {"op": "started", "id": job_id, "pid": pid}, (pidfd,))
                elif op == "kill" and job_id in jobs:
                    signal.pidfd_send_signal(jobs[job_id][1], signal.SIGKILL)
                elif op == "demote" and job_id in jobs:
                    _demote(proc_fd, jobs[job_id][0])
                else:
                    for fd in fds:
                        os.close(fd)
            else:
                job_id = key.data
                pid, pidfd = jobs.pop(job_id)
                selector.unregister(pidfd)
                os.close(pidfd)
                _, status = os.waitpid(pid, 0)
                _send(sock, {"op": "exited", "id": job_id, "code": os.waitstatus_to_exitcode(status)})


def _demote(proc_fd: int, pid: int) -> None:
    """nice 19 on every thread of a long-running job (nice is per thread on Linux). The job cannot
    undo it: lowering nice needs a capability, and seccomp denies setpriority anyway."""
    with contextlib.suppress(OSError):
        task_dir = os.open(f"{pid}/task", os.O_RDONLY | os.O_DIRECTORY, dir_fd=proc_fd)
        try:
            tids = [int(t) for t in os.listdir(task_dir)]
        finally:
            os.close(task_dir)
        for tid in tids:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, tid, 19)


def main(argv: list[str]) -> None:
    flavour, control_fd = argv[0], int(argv[1])
    sock = socket.socket(fileno=control_fd)
    try:
        seccomp = SeccompFilter()  # libseccomp is loaded before the host's files disappear
        proc_fd = jail.enter_zygote_root(flavour)
        _preload(flavour)
    except BaseException:
        _send(sock, {"op": "failed", "error": traceback.format_exc()[-4000:]})
        os._exit(1)
    # Preloaded objects move to a permanent generation: a child's garbage collections then skip them
    # instead of touching (and so copying) every page the zygote shares with it.
    gc.collect()
    gc.freeze()
    _send(sock, {"op": "ready", "pid": os.getpid()})
    serve(sock, proc_fd, seccomp)


if __name__ == "__main__":
    main(sys.argv[1:])
