"""Per-job cgroups (the strongest mode), with the real cgroup v2 hierarchy of this host.

Where no cgroup v2 subtree is writable these tests skip, saying so; the memory test needs the memory
controller in the v2 hierarchy (hosts with cgroup v1 memory, like hybrid ones, do not have it).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.sandbox import SandboxJob
from bot.sandbox.cgroup import JobCgroup, JobCgroups, cgroup2_mount, detect
from bot.sandbox.pool import PooledRunner
from bot.sandbox.runner import make_warm_runner

DRIVER = "def run_case(module, case):\n    return module.attack(**case)\n"


def _writable_parent(name: str) -> Path:
    mount = cgroup2_mount()
    if mount is None:
        pytest.skip("no cgroup v2 hierarchy is mounted here")
    parent = mount / f"viva-test-{name}-{os.getpid()}"
    try:
        parent.mkdir()
    except OSError as exc:
        pytest.skip(f"cannot create a cgroup under {mount}: {exc.strerror}")
    return parent


def _remove_tree(parent: Path) -> None:
    deadline = time.monotonic() + 5
    while parent.exists() and time.monotonic() < deadline:
        for leaf in parent.iterdir():
            if leaf.is_dir():
                JobCgroup(leaf).kill()
                JobCgroup(leaf).remove()
        try:
            parent.rmdir()
        except OSError:
            time.sleep(0.05)


@pytest.fixture
def plain_cgroups() -> Iterator[JobCgroups]:
    """Job leaves without controllers: placement, cgroup.kill and clean-up work the same way."""
    parent = _writable_parent("plain")
    groups = JobCgroups(parent, required=())
    groups.prepare()
    yield groups
    _remove_tree(parent)


def test_detection_names_the_mode_in_force() -> None:
    groups, sentence = detect()
    if groups is None:
        assert sentence.startswith("no per-job cgroups (") and "RLIMIT_AS and the seccomp filter" in sentence
    else:
        assert sentence.startswith("per-job cgroups under ")


def test_each_job_runs_in_its_own_cgroup_which_is_removed_after(plain_cgroups: JobCgroups) -> None:
    runner: PooledRunner = make_warm_runner(slots=2, queue_limit=4, job_cgroups=plain_cgroups)
    try:
        code = "import time\ndef attack():\n    time.sleep(60)\n"
        future = runner.submit(SandboxJob(code, DRIVER, ({},), time_limit_s=2.0), user_key="cg")
        leaves: list[str] = []
        deadline = time.monotonic() + 10
        while not leaves and time.monotonic() < deadline:
            leaves = [p.name for p in plain_cgroups.parent.iterdir() if p.is_dir() and p.name.startswith("job-")]
            procs = [(plain_cgroups.parent / leaf / "cgroup.procs").read_text().split() for leaf in leaves]
            if not any(procs):
                leaves = []
                time.sleep(0.01)
        assert leaves, "the job never appeared in a cgroup of its own"
        result = future.result(timeout=15)
        assert result.status == "timeout"
        deadline = time.monotonic() + 5
        while any(p.is_dir() for p in plain_cgroups.parent.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.02)
        ok = runner.run_sync(SandboxJob("def attack():\n    return 7\n", DRIVER, ({},)), user_key="cg2")
        assert ok.status == "ok" and ok.outputs[0].value == 7
        assert not [p for p in plain_cgroups.parent.iterdir() if p.is_dir() and p.name in leaves]
    finally:
        runner.close_sync()


class _TinyMemory(JobCgroups):
    """memory.max far below the job's address-space limit, so only the cgroup can stop it."""

    def create(self, memory_mb: int, processes: int) -> JobCgroup:
        leaf = super().create(memory_mb, processes)
        (leaf.path / "memory.max").write_text(str(48 * 1024 * 1024))
        return leaf


def test_memory_charged_to_the_job_cgroup_ends_the_job_as_memory() -> None:
    parent = _writable_parent("memory")
    try:
        groups = _TinyMemory(parent)
        try:
            groups.prepare()
        except Exception as exc:
            pytest.skip(f"no delegated cgroup v2 memory controller here: {exc}")
        runner = make_warm_runner(slots=2, queue_limit=4, job_cgroups=groups)
        try:
            code = "import numpy as np\ndef attack():\n    return float(np.ones(200 * 2**20 // 8).sum())\n"
            result = runner.run_sync(SandboxJob(code, DRIVER, ({},), memory_mb=512), user_key="mem")
            assert result.status == "memory"
        finally:
            runner.close_sync()
    finally:
        _remove_tree(parent)
