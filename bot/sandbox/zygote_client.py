"""The parent's side of one zygote process: start it, hand it jobs, hear when they end."""

from __future__ import annotations

import array
import contextlib
import itertools
import os
import socket
import subprocess
import sys
import threading
import weakref
from pathlib import Path

from bot.sandbox import wire
from bot.sandbox.api import Flavour
from bot.sandbox.handles import JobHandle
from bot.sandbox.jail import JobLimits

_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent.parent)
_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); from bot.sandbox.zygote import main; main(sys.argv[1:])"
)
#: The zygote's whole environment: thread counts of 1 keep forked children free of BLAS/OpenMP deadlocks.
ZYGOTE_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "LANG": "C.UTF-8",
}
#: Machine-specific OpenBLAS workarounds (not secrets): passed through so results stay correct.
_PASS_THROUGH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
START_TIMEOUT_S = 120.0

_live: weakref.WeakSet[ZygoteClient] = weakref.WeakSet()


class ZygoteFailed(RuntimeError):
    pass


def zygote_environment() -> dict[str, str]:
    env = dict(ZYGOTE_ENV)
    env.update({k: os.environ[k] for k in _PASS_THROUGH if k in os.environ})
    return env


class ZygoteClient:
    """Thread-safe. Started on first use; restarted transparently if it dies."""

    def __init__(self, flavour: Flavour) -> None:
        self.flavour = flavour
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._handles: dict[int, JobHandle] = {}
        self._closed = False
        _live.add(self)

    # ------------------------------------------------------------ lifecycle
    def prepare(self) -> None:
        self.ensure_started()

    def ensure_started(self) -> None:
        with self._lock:
            if self._closed:
                raise ZygoteFailed("the sandbox runner is closed")
            if self._process is not None and self._process.poll() is None and self._sock is not None:
                return
            self._start_locked()

    def _start_locked(self) -> None:
        parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            process = subprocess.Popen(
                [sys.executable, "-I", "-c", _BOOT, _PACKAGE_PARENT, self.flavour, str(child_sock.fileno())],
                env=zygote_environment(),
                pass_fds=[child_sock.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd="/",
                start_new_session=True,
            )
        finally:
            child_sock.close()
        parent_sock.settimeout(START_TIMEOUT_S)
        try:
            data = parent_sock.recv(1 << 16)
            message = wire.decode(data) if data else {"op": "failed", "error": "zygote exited at start-up"}
        except (TimeoutError, OSError, wire.WireError) as exc:
            message = {"op": "failed", "error": f"no answer from zygote: {exc}"}
        if message.get("op") != "ready":
            process.kill()
            process.wait()
            parent_sock.close()
            raise ZygoteFailed(f"the {self.flavour} sandbox failed to start: {message.get('error')}")
        parent_sock.settimeout(None)
        self._process, self._sock = process, parent_sock
        threading.Thread(target=self._read_loop, args=(parent_sock, process), daemon=True,
                         name=f"sandbox-zygote-{self.flavour}").start()  # fmt: skip

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop_locked()

    def _stop_locked(self) -> None:
        sock, process = self._sock, self._process
        self._sock = self._process = None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()  # the zygote sees EOF, kills its jobs and exits
        if process is not None:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # ------------------------------------------------------------ jobs
    def spawn(self, limits: JobLimits, fds: tuple[int, int, int]) -> JobHandle:
        self.ensure_started()
        job_id = next(self._ids)
        handle = JobHandle(
            kill=lambda: self._send({"op": "kill", "id": job_id}),
            demote=lambda: self._send({"op": "demote", "id": job_id}),
        )
        self._handles[job_id] = handle
        limit_fields = {
            "cpu_s": limits.cpu_s, "memory_mb": limits.memory_mb, "file_size_mb": limits.file_size_mb,
            "open_files": limits.open_files, "processes": limits.processes, "tmp_size_mb": limits.tmp_size_mb,
        }  # fmt: skip
        try:
            self._send({"op": "spawn", "id": job_id, "limits": limit_fields}, fds)
        except OSError as exc:
            self._handles.pop(job_id, None)
            handle.finish(None, f"sandbox service unavailable: {exc}")
        return handle

    def _send(self, message: dict[str, object], fds: tuple[int, ...] = ()) -> None:
        sock = self._sock
        if sock is None:
            raise OSError("zygote not running")
        ancillary = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())]
        with self._send_lock:
            sock.sendmsg([wire.encode(message)], ancillary if fds else [])

    def _read_loop(self, sock: socket.socket, process: subprocess.Popen[bytes]) -> None:  # noqa: C901 (one branch per reply kind)
        while True:
            fds: list[int] = []
            try:
                data, fds = _recv_with_fds(sock)
                message = wire.decode(data) if data else None
            except (OSError, wire.WireError):
                message = None
            if not isinstance(message, dict):
                for fd in fds:
                    os.close(fd)
                break
            handle = self._handles.get(message.get("id"))  # type: ignore[arg-type]
            if handle is None or message.get("op") != "started":
                for fd in fds:
                    os.close(fd)
            if handle is None:
                continue
            if message.get("op") == "started":
                pid = message.get("pid")
                for extra in fds[1:]:
                    os.close(extra)
                if type(pid) is int and fds:
                    handle.attach(pid, fds[0])
                elif fds:
                    os.close(fds[0])
            elif message.get("op") == "exited":
                self._handles.pop(message["id"], None)
                code = message.get("code")
                handle.finish(code if isinstance(code, int) else None)
            elif message.get("op") == "spawn_failed":
                self._handles.pop(message["id"], None)
                handle.finish(None, f"could not start the job: {message.get('error')}")
        # The zygote is gone (closed by us, or died): nothing pending will ever be reported.
        with self._lock:
            if self._process is process:
                self._sock = None
                self._process = None
                with contextlib.suppress(OSError):
                    process.kill()
                process.wait()
        for job_id in list(self._handles):
            handle = self._handles.pop(job_id, None)
            if handle is not None:
                handle.finish(None, "the sandbox service stopped")


def _recv_with_fds(sock: socket.socket) -> tuple[bytes, list[int]]:
    data, ancdata, _flags, _addr = sock.recvmsg(1 << 16, socket.CMSG_SPACE(4 * 4))
    fds: list[int] = []
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            received = array.array("i")
            received.frombytes(payload[: len(payload) - (len(payload) % received.itemsize)])
            fds.extend(received)
    return data, fds


def close_all_zygotes() -> None:
    """atexit fallback: no zygote outlives the process that started it."""
    for client in list(_live):
        with contextlib.suppress(Exception):
            client.close()
