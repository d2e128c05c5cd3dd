"""Per-job cgroup v2 leaves: memory charged per job, all of it (the strongest mode, where delegated).

RLIMIT_AS caps a job's address space only. Memory that is not mapped (System V shared memory,
message queues, memfd files, pipe buffers, other kernel memory) escapes it; the seccomp filter
denies every call we know that creates such memory, and a cgroup charges whatever is left. Where
the host delegates a cgroup v2 subtree with the memory and pids controllers, each job runs in its own
leaf with `memory.max` (user, shm/tmpfs and kernel memory), `memory.swap.max` 0, `pids.max`,
`memory.oom.group`, and is killed with `cgroup.kill` at its wall clock.

How the host delegates (any one):
- systemd: run the bot as a service with `Delegate=yes` (or `systemd-run --user -p Delegate=yes`);
- Docker: `--cgroupns=private` with a cgroup v2 host (the container's root cgroup is its own);
- by hand: `mkdir /sys/fs/cgroup/viva && echo '+memory +pids' > /sys/fs/cgroup/cgroup.subtree_control`,
  `chown -R bot: /sys/fs/cgroup/viva`, and set `SANDBOX_CGROUP=/sys/fs/cgroup/viva`.

The bot's own cgroup is used automatically when it is delegated and holds only the bot's process
(the bot then moves itself into a `bot` leaf, as cgroup v2's no-internal-processes rule asks).
Otherwise jobs run without a cgroup, and `describe()` says why.

The parent places each job in its leaf before it sends the job's request, so no untrusted code runs
outside it: the job process only reads the request after it has been placed.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)

REQUIRED_CONTROLLERS = ("memory", "pids")
#: Kernel and page-table memory on top of what the job may allocate itself.
MEMORY_SLACK_MB = 64
_PROBE_NAME = "viva-probe"


class CgroupUnavailable(RuntimeError):
    pass


def _read(path: Path) -> str:
    return path.read_text(encoding="ascii").strip()


def _write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def cgroup2_mount() -> Path | None:
    """Where the cgroup v2 hierarchy is mounted (the unified one on hybrid hosts), or None."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields = line.split()
            if " - cgroup2 " in line and len(fields) > 4:
                return Path(fields[4])
    return None


def own_cgroup() -> Path | None:
    """This process's cgroup v2 directory, or None."""
    mount = cgroup2_mount()
    if mount is None:
        return None
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return mount / line[3:].lstrip("/")
    return None


class JobCgroup:
    """One job's leaf."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def add(self, pid: int) -> None:
        _write(self.path / "cgroup.procs", str(pid))

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            _write(self.path / "cgroup.kill", "1")

    def oom_killed(self) -> bool:
        with contextlib.suppress(OSError, ValueError):
            for line in _read(self.path / "memory.events").splitlines():
                name, _, value = line.partition(" ")
                if name in ("oom_kill", "oom_group_kill") and int(value) > 0:
                    return True
        return False

    def remove(self) -> bool:
        try:
            os.rmdir(self.path)
            return True
        except FileNotFoundError:
            return True
        except OSError:
            return False


class JobCgroups:
    """Creates one leaf per job under `parent` (a cgroup v2 directory whose subtree we own)."""

    def __init__(self, parent: Path, required: tuple[str, ...] = REQUIRED_CONTROLLERS) -> None:
        self.parent = parent
        self.required = required
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._leftovers: list[JobCgroup] = []

    def prepare(self) -> None:
        """Enable the controllers for our children and check a leaf gets the limit files."""
        available = set(_read(self.parent / "cgroup.controllers").split())
        missing = [c for c in self.required if c not in available]
        if missing:
            raise CgroupUnavailable(f"{self.parent} lacks the {', '.join(missing)} controller(s) "
                                    f"(has: {', '.join(sorted(available)) or 'none'})")  # fmt: skip
        if self.required:
            try:
                _write(self.parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in self.required))
            except OSError as exc:
                raise CgroupUnavailable(f"cannot enable {'/'.join(self.required)} below {self.parent}: "
                                        f"{exc.strerror}") from None  # fmt: skip
        probe = self.parent / f"{_PROBE_NAME}-{os.getpid()}"
        try:
            probe.mkdir(exist_ok=True)
            needed = [f for f in ("memory.max", "pids.max") if f.split(".")[0] in self.required]
            absent = [f for f in needed if not (probe / f).exists()]
            if absent:
                raise CgroupUnavailable(f"job cgroups under {self.parent} have no {', '.join(absent)}")
        except OSError as exc:
            raise CgroupUnavailable(f"cannot create a job cgroup under {self.parent}: {exc.strerror}") from None
        finally:
            with contextlib.suppress(OSError):
                probe.rmdir()

    def create(self, memory_mb: int, processes: int) -> JobCgroup:
        with self._lock:
            self._leftovers = [leaf for leaf in self._leftovers if not leaf.remove()]
            name = f"job-{os.getpid()}-{next(self._ids)}"
        leaf = JobCgroup(self.parent / name)
        leaf.path.mkdir()
        try:
            if "memory" in self.required:
                _write(leaf.path / "memory.max", str((memory_mb + MEMORY_SLACK_MB) * 1024 * 1024))
                with contextlib.suppress(OSError):  # absent without swap accounting
                    _write(leaf.path / "memory.swap.max", "0")
                with contextlib.suppress(OSError):
                    _write(leaf.path / "memory.oom.group", "1")
            if "pids" in self.required:
                _write(leaf.path / "pids.max", str(processes))
        except OSError:
            leaf.remove()
            raise
        return leaf

    def release(self, leaf: JobCgroup) -> None:
        """Remove the leaf once empty (a process still exiting is retried at the next job)."""
        leaf.kill()
        if not leaf.remove():
            with self._lock:
                self._leftovers.append(leaf)


def _delegated_own_cgroup() -> Path:
    """Our own cgroup, made usable: we move into a `bot` leaf so the controllers can be enabled."""
    own = own_cgroup()
    if own is None:
        raise CgroupUnavailable("no cgroup v2 hierarchy is mounted")
    if own.name == "bot" and (own.parent / "cgroup.subtree_control").exists():
        return own.parent  # we moved ourselves already (an earlier runner in this process)
    procs = _read(own / "cgroup.procs").split()
    if procs != [str(os.getpid())]:
        raise CgroupUnavailable(f"the bot's cgroup {own} holds other processes too; "
                                "set SANDBOX_CGROUP to a delegated, empty cgroup")  # fmt: skip
    if not os.access(own / "cgroup.subtree_control", os.W_OK):
        raise CgroupUnavailable(f"the bot's cgroup {own} is not delegated to it")
    available = set(_read(own / "cgroup.controllers").split())
    missing = [c for c in REQUIRED_CONTROLLERS if c not in available]
    if missing:
        raise CgroupUnavailable(f"the bot's cgroup {own} lacks the {', '.join(missing)} controller(s)")
    leaf = own / "bot"
    try:
        leaf.mkdir(exist_ok=True)
        _write(leaf / "cgroup.procs", str(os.getpid()))
    except OSError as exc:
        raise CgroupUnavailable(f"cannot move the bot into {leaf}: {exc.strerror}") from None
    return own


_detected: tuple[JobCgroups | None, str] | None = None
_detect_lock = threading.Lock()


def detect(configured: str | None = None) -> tuple[JobCgroups | None, str]:
    """(job cgroups or None, a sentence saying which mode is in force and why). Once per process."""
    global _detected
    with _detect_lock:
        if _detected is not None:
            return _detected
        configured = configured or os.environ.get("SANDBOX_CGROUP") or None
        try:
            parent = Path(configured) if configured else _delegated_own_cgroup()
            groups = JobCgroups(parent)
            groups.prepare()
            _detected = (groups, f"per-job cgroups under {parent} (memory.max, pids.max, cgroup.kill)")
        except (CgroupUnavailable, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.errno != errno.EEXIST else str(exc)
            _detected = (None, f"no per-job cgroups ({reason}); memory is limited by RLIMIT_AS and the "
                               "seccomp filter only")  # fmt: skip
        log.info("sandbox: %s", _detected[1])
        return _detected
