"""Run one job through a launcher (the zygote, or the unsafe local runner): feed the request, collect
the result stream and the capped stdout, enforce the wall clock, and assemble the result.

Runs on a worker thread; blocking I/O is multiplexed with select so a silent, flooding or stuck child
costs the parent nothing beyond its time limit.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import selectors
import time
from typing import Protocol

from bot.sandbox import outcome, wire
from bot.sandbox.api import SandboxJob, SandboxResult
from bot.sandbox.cgroup import JobCgroup, JobCgroups
from bot.sandbox.handles import JobHandle
from bot.sandbox.jail import JobLimits

STDOUT_CAP_BYTES = 64 * 1024
#: Jobs still running after this long drop to the lowest CPU priority, so an endless loop costs the
#: short jobs queued behind it (almost) nothing on a 2-core machine.
DEMOTE_AFTER_S = 0.3
PIPE_BYTES = 1 << 20
F_SETPIPE_SZ = 1031
#: After a kill, how long to wait for the exit report before calling the service broken.
_EXIT_GRACE_S = 10.0
#: Frames a job may send besides one per case (a load error, a setup error, "done").
_EXTRA_FRAMES = 4
#: Reading the results may run this far past the wall clock before they count as unreadable.
DECODE_GRACE_S = 1.0


class Launcher(Protocol):
    def prepare(self) -> None:
        """Make the launcher ready (start a zygote); not counted in the job's time limit."""

    def spawn(self, limits: JobLimits, fds: tuple[int, int, int]) -> JobHandle: ...


def limits_for(job: SandboxJob) -> JobLimits:
    return JobLimits(cpu_s=math.ceil(job.time_limit_s) + 1, memory_mb=job.memory_mb)


def encode_request(job: SandboxJob) -> bytes:
    """Raises wire.UnsupportedValue for a case input the wire cannot carry (a checker bug)."""
    return wire.frame(
        {
            "submission": job.submission,
            "driver": job.driver,
            "cases": list(job.cases),
            "forbid_autograd": bool(job.forbid_autograd),
        }
    )


#: How long the parent waits for the launcher to report the job's pid before placing it in its cgroup.
_ATTACH_TIMEOUT_S = 10.0


def run_job(launcher: Launcher, job: SandboxJob, cgroups: JobCgroups | None = None) -> SandboxResult:
    """With `cgroups`, the job runs in its own leaf (created here, removed after): the request,
    and with it the untrusted code, is only sent once the job's process has been placed there."""
    request = encode_request(job)
    launcher.prepare()
    limits = limits_for(job)
    leaf = cgroups.create(job.memory_mb, limits.processes) if cgroups is not None else None
    try:
        return _run_in(launcher, job, request, limits, leaf)
    finally:
        if leaf is not None and cgroups is not None:
            cgroups.release(leaf)


def _run_in(launcher: Launcher, job: SandboxJob, request: bytes, limits: JobLimits,
            leaf: JobCgroup | None) -> SandboxResult:  # fmt: skip
    started = time.monotonic()
    req_r, req_w = os.pipe2(os.O_CLOEXEC)
    res_r, res_w = os.pipe2(os.O_CLOEXEC)
    out_r, out_w = os.pipe2(os.O_CLOEXEC)
    for fd in (req_w, res_w):
        with contextlib.suppress(OSError):  # bigger pipes: far fewer wake-ups for array payloads
            fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_BYTES)
    try:
        handle = launcher.spawn(limits, (req_r, res_w, out_w))
    finally:
        for fd in (req_r, res_w, out_w):
            os.close(fd)
    raw = outcome.RawRun(decode_deadline=started + job.time_limit_s + DECODE_GRACE_S)
    open_fds = {req_w, res_r, out_r}
    try:
        if leaf is not None:
            placed = _place(handle, leaf)
            if placed is not None:
                raw.failure = placed
                handle.kill()
                request = b""  # never sent: the job was not placed in its cgroup
        _pump(handle, job, started, request, open_fds, req_w, res_r, out_r, raw)
        raw.oom_killed = leaf is not None and leaf.oom_killed()
    finally:
        for fd in open_fds:
            os.close(fd)
        handle.close()
    raw.duration_ms = (time.monotonic() - started) * 1000
    return outcome.assemble(job, raw)


def _place(handle: JobHandle, leaf: JobCgroup) -> str | None:
    """Move the job into its cgroup; None when done, else why it could not be."""
    if not handle.wait_attached(_ATTACH_TIMEOUT_S) or handle.pid is None:
        return handle.failure or "the sandbox did not report the job's process"
    try:
        leaf.add(handle.pid)
    except OSError as exc:
        return f"could not place the job in its cgroup: {exc.strerror}"
    handle.on_kill.append(leaf.kill)
    return None


def _close(fd: int, open_fds: set[int]) -> None:
    """Close exactly once: in a threaded process a second close could hit another job's fd."""
    if fd in open_fds:
        open_fds.discard(fd)
        os.close(fd)


def _pump(handle: JobHandle, job: SandboxJob, started: float, request: bytes, open_fds: set[int],
          req_w: int, res_r: int, out_r: int, raw: outcome.RawRun) -> None:  # fmt: skip
    deadline = started + job.time_limit_s
    for fd in (req_w, res_r, out_r):
        os.set_blocking(fd, False)
    selector = selectors.DefaultSelector()
    selector.register(req_w, selectors.EVENT_WRITE, "request")
    selector.register(res_r, selectors.EVENT_READ, "result")
    selector.register(out_r, selectors.EVENT_READ, "stdout")
    selector.register(handle.wake_fd, selectors.EVENT_READ, "exit")
    pending = memoryview(request)
    reader = wire.FrameReader(max_frames=len(job.cases) + _EXTRA_FRAMES)
    stdout = bytearray()
    open_streams = {"result", "stdout"}
    kill_sent_at: float | None = None
    demote_at: float | None = started + DEMOTE_AFTER_S
    try:
        while open_streams or not (handle.finished or _ended(raw.frames)):
            now = time.monotonic()
            if demote_at is not None and now >= demote_at:
                demote_at = None
                handle.demote()
            if kill_sent_at is None and now >= deadline:
                raw.timed_out = True
                kill_sent_at = now
                handle.kill()
            if kill_sent_at is not None and not open_streams and handle.process_gone():
                break  # killed and gone: its exit report (from the zygote) adds nothing
            if kill_sent_at is not None and now - kill_sent_at > _EXIT_GRACE_S:
                raw.failure = raw.failure or "the sandbox did not report the job's end"
                break
            if not open_streams and (handle.finished or _ended(raw.frames)):
                break
            wait = (min(deadline, demote_at or deadline) - now) if kill_sent_at is None else 0.1
            for key, _ in selector.select(timeout=max(0.0, wait)):
                what = key.data
                if what == "request":
                    try:
                        pending = pending[os.write(req_w, pending) :]
                    except BlockingIOError:
                        continue
                    except OSError:  # the child is gone; its exit status will tell why
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(req_w)
                        _close(req_w, open_fds)
                elif what == "result":
                    chunk = _read(res_r)
                    if chunk is None:
                        continue
                    if not chunk:
                        selector.unregister(res_r)
                        open_streams.discard("result")
                        if reader.has_partial and raw.stream_error is None:
                            raw.stream_error = "result cut off mid-message"
                        continue
                    try:
                        raw.frames.extend(reader.feed(chunk))
                    except wire.WireError as exc:
                        # Oversized or endless: stop reading (the child's writes now fail).
                        raw.stream_error = str(exc)
                        selector.unregister(res_r)
                        _close(res_r, open_fds)
                        open_streams.discard("result")
                elif what == "stdout":
                    chunk = _read(out_r)
                    if chunk is None:
                        continue
                    if chunk:
                        stdout += chunk[: STDOUT_CAP_BYTES - len(stdout)]
                    if not chunk or len(stdout) >= STDOUT_CAP_BYTES:
                        # Closing the pipe stops a flood: further writes fail with EPIPE in the child.
                        selector.unregister(out_r)
                        _close(out_r, open_fds)
                        open_streams.discard("stdout")
                elif what == "exit":
                    selector.unregister(handle.wake_fd)
    finally:
        selector.close()
    if not handle.finished:
        # The child said "done" and closed its pipes: the result is complete, so we do not wait for
        # its exit (memory teardown of a large process is slow), but make sure it does end.
        handle.kill()
    raw.stdout = bytes(stdout)
    raw.exit_code = handle.exit_code
    if handle.failure and not raw.timed_out:
        raw.failure = handle.failure


_DONE_FRAME = wire.encode({"kind": "done"})


def _ended(frames: list[bytes]) -> bool:
    return bool(frames) and frames[-1] == _DONE_FRAME


def _read(fd: int) -> bytes | None:
    """b"" at end of stream, None when nothing is ready after all."""
    try:
        return os.read(fd, PIPE_BYTES)
    except BlockingIOError:
        return None
    except OSError:
        return b""
