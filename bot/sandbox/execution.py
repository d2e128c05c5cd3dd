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
from dataclasses import dataclass
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
        _Pump(handle, job, started, request, _Pipes(req_w, res_r, out_r, open_fds), raw).run()
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


@dataclass
class _Pipes:
    """The parent's ends of one job's pipes (closed at most once: see `_close`)."""

    request: int  # write: the cases for the child
    result: int  # read: the child's result frames
    stdout: int  # read: the child's stdout and stderr
    open_fds: set[int]


class _Pump:
    """Moves one job's bytes until it ends: the request in, result frames and stdout out, the wall clock,
    the demotion to nice 19 and the kill. One small handler per event, after snekbox's `NsJail` methods;
    `run` is the loop that dispatches to them."""

    def __init__(self, handle: JobHandle, job: SandboxJob, started: float, request: bytes, pipes: _Pipes,
                 raw: outcome.RawRun) -> None:
        self.handle, self.pipes, self.raw = handle, pipes, raw
        self.deadline = started + job.time_limit_s
        self.demote_at: float | None = started + DEMOTE_AFTER_S
        self.kill_sent_at: float | None = None
        self.pending = memoryview(request)
        self.reader = wire.FrameReader(max_frames=len(job.cases) + _EXTRA_FRAMES)
        self.stdout = bytearray()
        self.open_streams = {"result", "stdout"}
        self.selector = selectors.DefaultSelector()

    def run(self) -> None:
        for fd in (self.pipes.request, self.pipes.result, self.pipes.stdout):
            os.set_blocking(fd, False)
        handlers = {"request": self.on_request, "result": self.on_result, "stdout": self.on_stdout,
                    "exit": self.on_exit}
        self.selector.register(self.pipes.request, selectors.EVENT_WRITE, "request")
        self.selector.register(self.pipes.result, selectors.EVENT_READ, "result")
        self.selector.register(self.pipes.stdout, selectors.EVENT_READ, "stdout")
        self.selector.register(self.handle.wake_fd, selectors.EVENT_READ, "exit")
        try:
            while self.open_streams or not self.finished():
                if self.tick():
                    break
                for key, _ in self.selector.select(timeout=self.wait_s()):
                    handlers[key.data]()
        finally:
            self.selector.close()
        self.finish()

    def finished(self) -> bool:
        return self.handle.finished or _ended(self.raw.frames)

    def tick(self) -> bool:
        """Apply the clock (demote, then kill at the deadline); True when the loop should stop."""
        now = time.monotonic()
        if self.demote_at is not None and now >= self.demote_at:
            self.demote_at = None
            self.handle.demote()
        if self.kill_sent_at is None and now >= self.deadline:
            self.raw.timed_out = True
            self.kill_sent_at = now
            self.handle.kill()
        if self.kill_sent_at is not None and not self.open_streams and self.handle.process_gone():
            return True  # killed and gone: its exit report (from the zygote) adds nothing
        if self.kill_sent_at is not None and now - self.kill_sent_at > _EXIT_GRACE_S:
            self.raw.failure = self.raw.failure or "the sandbox did not report the job's end"
            return True
        return not self.open_streams and self.finished()

    def wait_s(self) -> float:
        if self.kill_sent_at is not None:
            return 0.1
        return max(0.0, min(self.deadline, self.demote_at or self.deadline) - time.monotonic())

    def on_request(self) -> None:
        try:
            self.pending = self.pending[os.write(self.pipes.request, self.pending) :]
        except BlockingIOError:
            return
        except OSError:  # the child is gone; its exit status will tell why
            self.pending = self.pending[:0]
        if not self.pending:
            self.selector.unregister(self.pipes.request)
            _close(self.pipes.request, self.pipes.open_fds)

    def on_result(self) -> None:
        chunk = _read(self.pipes.result)
        if chunk is None:
            return
        if not chunk:
            self.selector.unregister(self.pipes.result)
            self.open_streams.discard("result")
            if self.reader.has_partial and self.raw.stream_error is None:
                self.raw.stream_error = "result cut off mid-message"
            return
        try:
            self.raw.frames.extend(self.reader.feed(chunk))
        except wire.WireError as exc:
            # Oversized or endless: stop reading (the child's writes now fail).
            self.raw.stream_error = str(exc)
            self.selector.unregister(self.pipes.result)
            _close(self.pipes.result, self.pipes.open_fds)
            self.open_streams.discard("result")

    def on_stdout(self) -> None:
        chunk = _read(self.pipes.stdout)
        if chunk is None:
            return
        if chunk:
            self.stdout += chunk[: STDOUT_CAP_BYTES - len(self.stdout)]
        if not chunk or len(self.stdout) >= STDOUT_CAP_BYTES:
            # Closing the pipe stops a flood: further writes fail with EPIPE in the child.
            self.selector.unregister(self.pipes.stdout)
            _close(self.pipes.stdout, self.pipes.open_fds)
            self.open_streams.discard("stdout")

    def on_exit(self) -> None:
        self.selector.unregister(self.handle.wake_fd)

    def finish(self) -> None:
        if not self.handle.finished:
            # The child said "done" and closed its pipes: the result is complete, so we do not wait for
            # its exit (memory teardown of a large process is slow), but make sure it does end.
            self.handle.kill()
        self.raw.stdout = bytes(self.stdout)
        self.raw.exit_code = self.handle.exit_code
        if self.handle.failure and not self.raw.timed_out:
            self.raw.failure = self.handle.failure


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
