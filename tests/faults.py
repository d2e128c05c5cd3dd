"""Real storage faults for tests: a small disk that can be filled up or made read-only, and a writer
process that holds SQLite's write lock. No mocks: the bot meets the errors the kernel and SQLite give.

The small disk is a tmpfs mounted for the test (needs root, as in CI and the dev container). Without
root, `read_only` falls back to file permissions and `fill` skips the test.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

DISK_MB = 16


class SmallDisk:
    """A directory on its own small filesystem, for one test."""

    def __init__(self, path: Path, mounted: bool) -> None:
        self.path = path
        self.mounted = mounted
        self._filler = path / "filler.bin"
        self._read_only = False

    @property
    def db_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.path / 'viva.db'}"

    def fill(self) -> None:
        """Take every free block, so the next write that needs space gets ENOSPC."""
        if not self.mounted:
            pytest.skip("filling a disk needs a tmpfs mount (root)")
        chunk = b"\0" * (1 << 20)
        with open(self._filler, "ab", buffering=0) as out:
            with contextlib.suppress(OSError):
                while True:
                    out.write(chunk)
            with contextlib.suppress(OSError):  # the last partial block
                while True:
                    out.write(b"\0" * 4096)

    def make_read_only(self) -> None:
        """The filesystem refuses every write (EROFS); without root, the file and folder lose write permission."""
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)
        else:
            for file in self.path.iterdir():
                file.chmod(0o444)
            self.path.chmod(0o555)
        self._read_only = True

    def clear(self) -> None:
        """The fault goes away: space is freed, writes are allowed again."""
        if self._read_only:
            if self.mounted:
                subprocess.run(["mount", "-o", "remount,rw", str(self.path)], check=True)
            else:
                self.path.chmod(0o755)
                for file in self.path.iterdir():
                    file.chmod(0o644)
            self._read_only = False
        self._filler.unlink(missing_ok=True)


def _can_mount() -> bool:
    return os.geteuid() == 0 and sys.platform.startswith("linux")


@contextlib.contextmanager
def small_disk(base: Path) -> Iterator[SmallDisk]:
    path = base / "disk"
    path.mkdir()
    mounted = False
    if _can_mount():
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(path)],
                                 capture_output=True).returncode == 0
    disk = SmallDisk(path, mounted)
    try:
        yield disk
    finally:
        with contextlib.suppress(Exception):
            disk.clear()
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


#: A second process that takes SQLite's write lock on a file and holds it until told to stop.
_LOCK_HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("CREATE TABLE IF NOT EXISTS _lock_holder (x INTEGER)")
    print("locked", flush=True)
    sys.stdin.readline()  # hold the lock until the test writes a line or closes stdin
    connection.execute("ROLLBACK")
""")


@contextlib.contextmanager
def write_lock_held(db_file: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the database's write lock for the duration of the block."""
    holder = subprocess.Popen([sys.executable, "-c", _LOCK_HOLDER, str(db_file)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.poll() is None:
            assert holder.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                holder.stdin.write("\n")
                holder.stdin.flush()
            holder.wait(timeout=10)
