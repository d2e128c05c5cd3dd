"""The hostile suite: real sandbox, no mocks (docs/notes.md#sandbox-threat-model).

Every attack must be contained: a result within its time bound, no canary secret (planted in this
process's environment and in a file of the checkout) in any output, nothing written on the host, no
process left behind, and the next submission still works (checked by `Harness.run` for each attack).
One runner is shared by the module; the torch zygote starts once, on the first torch attack.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bot import PROJECT_ROOT
from bot.sandbox import SandboxJob, SandboxResult, get_runner
from bot.sandbox.pool import PooledRunner

#: Calls `attack(**case)` in the submission: the hostile suites need nothing from coding_tasks/.
DRIVER = "def run_case(module, case):\n    return module.attack(**case)\n"
GOOD_SUBMISSION = "import numpy as np\n\ndef attack(x):\n    return np.asarray(x) * 2\n"


@dataclass(frozen=True)
class Canary:
    secret: str
    env_name: str
    file: Path


def plant_canary(tag: str) -> Canary:
    """A secret in this process's environment and in a file of the checkout (as DISCORD_TOKEN would be)."""
    secret = f"viva-canary-{os.urandom(8).hex()}"
    env_name = "VIVA_SANDBOX_CANARY"
    os.environ[env_name] = secret
    file = PROJECT_ROOT / f".sandbox-canary-{tag}-{os.getpid()}"
    file.write_text(f"DISCORD_TOKEN={secret}\n")
    return Canary(secret, env_name, file)


def remove_canary(canary: Canary) -> None:
    os.environ.pop(canary.env_name, None)
    canary.file.unlink(missing_ok=True)


def zygote_children(runner: PooledRunner) -> list[int]:
    """Processes still hanging off our zygotes (C1s, or jailed children handed to the subreaper)."""
    children: list[int] = []
    for pid in runner.service_pids().values():
        task_dir = Path(f"/proc/{pid}/task")
        for task in task_dir.iterdir() if task_dir.exists() else ():
            try:
                children += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
    return children


def wait_no_children(runner: PooledRunner, timeout_s: float = 3.0) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while (left := zygote_children(runner)) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


class Harness:
    """Runs a submission and checks the promises every hostile run must keep."""

    def __init__(self, runner: PooledRunner, canary: Canary) -> None:
        self.runner = runner
        self.canary = canary

    def run(self, submission: str, cases: tuple[dict, ...] = ({},), *, time_limit_s: float = 2.0,
            memory_mb: int = 256, flavour: str = "numpy", bound_s: float | None = None,
            forbid_autograd: bool = False) -> SandboxResult:  # fmt: skip
        job = SandboxJob(submission=submission, driver=DRIVER, cases=cases, flavour=flavour,  # type: ignore[arg-type]
                         forbid_autograd=forbid_autograd, time_limit_s=time_limit_s, memory_mb=memory_mb)  # fmt: skip
        self.runner.run_sync(
            SandboxJob(GOOD_SUBMISSION, DRIVER, ({"x": 1},), flavour=flavour), user_key="warm"
        )  # type: ignore[arg-type]
        started = time.monotonic()
        result = self.runner.run_sync(job, user_key="attacker")
        elapsed = time.monotonic() - started
        bound = bound_s if bound_s is not None else time_limit_s + 3.0
        assert elapsed < bound, f"result took {elapsed:.1f} s (bound {bound} s): {result}"
        assert self.canary.secret not in repr(result), "the canary secret leaked into the result"
        assert wait_no_children(self.runner) == [], "a jailed process was left behind"
        after = self.runner.run_sync(
            SandboxJob(GOOD_SUBMISSION, DRIVER, ({"x": [1.0, 2.0]},), flavour=flavour),  # type: ignore[arg-type]
            user_key="next-user",
        )
        assert after.status == "ok", f"the next submission failed after the attack: {after}"
        assert after.outputs[0].value.tolist() == [2.0, 4.0]  # type: ignore[union-attr]
        return result


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    planted = plant_canary("hostile")
    yield planted
    remove_canary(planted)


@pytest.fixture(scope="module")
def runner(canary: Canary) -> Iterator[PooledRunner]:
    pooled = get_runner(slots=4, queue_limit=8)
    yield pooled
    pooled.close_sync()


@pytest.fixture
def sandbox(runner: PooledRunner, canary: Canary) -> Harness:
    return Harness(runner, canary)


def host_path(name: str) -> Path:
    """A path on the host a submission will try to create; the test checks it never appears."""
    return Path("/tmp") / f"viva-sandbox-escape-{name}-{os.getpid()}"


# ---------------------------------------------------------------- CPU and time
def test_infinite_loop_is_killed_at_the_wall_clock(sandbox: Harness) -> None:
    result = sandbox.run("def attack():\n    while True:\n        pass\n", time_limit_s=1.5)
    assert result.status == "timeout"
    assert "1.5 s" in result.detail


def test_sleeping_forever_is_killed_at_the_wall_clock(sandbox: Harness) -> None:
    result = sandbox.run("import time\ndef attack():\n    time.sleep(1e6)\n", time_limit_s=1.0)
    assert result.status == "timeout"


# ---------------------------------------------------------------- processes and threads
def test_fork_storm_is_contained(sandbox: Harness) -> None:
    code = (
        "import os, subprocess\n"
        "def attack():\n"
        "    outcomes = []\n"
        "    for spawn in (os.fork, lambda: subprocess.run(['/bin/sh', '-c', 'echo hi']),\n"
        "                  lambda: os.system('echo hi'), lambda: os.posix_spawn('/bin/sh', ['sh'], {})):\n"
        "        try:\n"
        "            pid = spawn()\n"
        "            if pid == 0:\n"
        "                while True: os.fork()\n"
        "            outcomes.append(f'spawned {pid}')\n"
        "        except OSError as exc:\n"
        "            outcomes.append(type(exc).__name__)\n"
        "    return outcomes\n"
    )
    result = sandbox.run(code)
    assert result.status == "ok"
    outcomes = result.outputs[0].value
    assert outcomes[0] == "PermissionError" and outcomes[1] == "PermissionError"
    assert outcomes[2] != "spawned 0"  # os.system cannot start a shell (returns an error status)
    assert outcomes[3] == "PermissionError"


def test_thread_bomb_is_bounded(sandbox: Harness) -> None:
    code = (
        "import threading, time\n"
        "def attack():\n"
        "    started = 0\n"
        "    try:\n"
        "        for _ in range(10_000):\n"
        "            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "            started += 1\n"
        "    except BaseException as exc:\n"
        "        return [started, type(exc).__name__]\n"
        "    return [started, None]\n"
    )
    result = sandbox.run(code)
    assert result.status == "ok"
    started, stopped_by = result.outputs[0].value
    assert started < 100 and stopped_by is not None


def test_lingering_threads_do_not_outlive_the_job(sandbox: Harness) -> None:
    marker = host_path("thread")
    code = (
        "import threading, time\n"
        "def linger(path):\n"
        "    time.sleep(1.0)\n"
        "    print('still here')\n"
        "    open(path, 'w').write('x')\n"
        "def attack(path):\n"
        "    threading.Thread(target=linger, args=(path,)).start()\n"
        "    threading.Thread(target=linger, args=(path,), daemon=True).start()\n"
        "    return 'returned'\n"
    )
    result = sandbox.run(code, ({"path": str(marker)},), bound_s=1.0)
    assert result.status == "ok" and result.outputs[0].value == "returned"
    # Harness.run waited for the job's process to be gone before the next submission (an event, not a
    # guessed delay): with it every thread is gone, so nothing can be printed or written later.
    assert "still here" not in result.stdout
    assert not marker.exists()


# ---------------------------------------------------------------- memory and disk
def test_one_shot_memory_bomb_reports_memory(sandbox: Harness) -> None:
    result = sandbox.run("def attack():\n    return len(bytearray(20 * 2**30))\n", memory_mb=256)
    assert result.status == "memory"
    assert result.detail == "exceeded 256 MB"


def test_growing_memory_bomb_reports_memory(sandbox: Harness) -> None:
    code = (
        "import numpy as np\n"
        "def attack():\n"
        "    hoard = []\n"
        "    while True:\n"
        "        hoard.append(np.ones(50 * 2**20 // 8))\n"
    )
    # a generous clock: on a loaded machine a demoted (nice 19) job may take a while to fill 256 MB
    result = sandbox.run(code, memory_mb=256, time_limit_s=8.0)
    assert result.status == "memory"


def test_huge_file_is_refused_and_nothing_lands_on_the_host(sandbox: Harness) -> None:
    code = (
        "import os\n"
        "def attack(paths):\n"
        "    report = {}\n"
        "    block = b'x' * 2**20\n"
        "    for path in paths:\n"
        "        written = 0\n"
        "        try:\n"
        "            with open(path, 'wb') as f:\n"
        "                for _ in range(1024):\n"
        "                    f.write(block)\n"
        "                    written += 1\n"
        "            report[path] = ['no error', written]\n"
        "        except OSError as exc:\n"
        "            report[path] = [type(exc).__name__ + ' ' + str(exc.errno), written]\n"
        "    return report\n"
    )
    targets = [str(host_path("big")), str(PROJECT_ROOT / "escape-big.bin"), "/escape-big.bin",
               "/usr/escape-big.bin", "big.bin"]  # fmt: skip
    result = sandbox.run(code, ({"paths": targets},))
    assert result.status == "ok"
    report = result.outputs[0].value
    for path in targets:
        status, megabytes = report[path]
        assert status != "no error" and megabytes <= 16, (path, report[path])
    assert not host_path("big").exists()
    assert not (PROJECT_ROOT / "escape-big.bin").exists()
    assert not Path("/escape-big.bin").exists() and not Path("/usr/escape-big.bin").exists()


# ---------------------------------------------------------------- output
def test_output_flood_is_capped(sandbox: Harness) -> None:
    code = (
        "import sys, os\n"
        "def attack():\n"
        "    for _ in range(100):\n"
        "        try:\n"
        "            sys.stdout.write('A' * 2**20)\n"
        "        except BrokenPipeError:\n"
        "            pass\n"
        "    return 'done'\n"
    )
    result = sandbox.run(code)
    assert 0 < len(result.stdout) <= 64 * 1024
    assert set(result.stdout) == {"A"}
    assert result.status == "ok" and result.outputs[0].value == "done"
    raw = sandbox.run("import os\ndef attack():\n    os.write(1, b'B' * 2**27)\n    return 'raw'\n")
    assert len(raw.stdout) == 64 * 1024


def test_forged_verdict_on_stdout_is_only_text(sandbox: Harness) -> None:
    forged = '{"task": "dropout", "passed": true, "status": "passed", "cases": []}'
    code = f"def attack():\n    print({forged!r})\n    return 'wrong answer'\n"
    result = sandbox.run(code)
    assert result.status == "ok"
    assert result.outputs[0].value == "wrong answer"
    assert forged in result.stdout


def test_forged_frames_on_the_result_channel_are_not_believed(sandbox: Harness) -> None:
    code = (
        "import os, struct\n"
        "def attack():\n"
        "    for fd in range(3, 64):\n"
        "        try:\n"
        "            os.write(fd, struct.pack('<I', 2**31) + b'garbage')\n"
        "        except OSError:\n"
        "            pass\n"
        "    os._exit(0)\n"
    )
    result = sandbox.run(code)
    assert result.status == "crashed"
    assert result.outputs == ()


def test_result_channel_flood_is_cut_off(sandbox: Harness) -> None:
    code = (
        "import os, struct\n"
        "def attack():\n"
        "    chunk = (struct.pack('<I', 2**20 - 4) + b'x' * (2**20 - 4)) * 4\n"
        "    for fd in (3, 4):\n"
        "        for _ in range(200):\n"
        "            try:\n"
        "                os.write(fd, chunk)\n"
        "            except OSError:\n"
        "                break\n"
        "    return 'flooded'\n"
    )
    result = sandbox.run(code, time_limit_s=3.0)
    assert result.status == "crashed" and "could not be read" in result.detail
    assert result.outputs == ()


# ---------------------------------------------------------------- secrets, environment, files
def test_environment_and_proc_hold_no_secrets(sandbox: Harness, canary: Canary) -> None:
    code = (
        "import os\n"
        "def attack():\n"
        "    found = {'environ': dict(os.environ), 'proc': os.path.exists('/proc'), 'ppid': os.getppid()}\n"
        "    for path in ('/proc/self/environ', '/proc/1/environ', '/proc/self/cmdline', '/proc/1/cmdline'):\n"
        "        try:\n"
        "            found[path] = open(path, 'rb').read().decode(errors='replace')\n"
        "        except OSError as exc:\n"
        "            found[path] = type(exc).__name__\n"
        "    return found\n"
    )
    result = sandbox.run(code)
    found = result.outputs[0].value
    assert set(found["environ"]) <= {"HOME", "PATH", "LANG", "TMPDIR"}
    assert found["proc"] is False and found["ppid"] == 0
    assert all(found[p] == "FileNotFoundError" for p in found if p.startswith("/proc"))
    assert canary.secret not in repr(found)


def test_checkout_shared_docs_and_host_secrets_are_not_visible(sandbox: Harness, canary: Canary) -> None:
    code = (
        "import os\n"
        "def attack(paths):\n"
        "    readable = {}\n"
        "    for path in paths:\n"
        "        try:\n"
        "            readable[path] = os.listdir(path) if os.path.isdir(path) else open(path).read()\n"
        "        except OSError:\n"
        "            pass\n"
        "    return readable\n"
    )
    paths = [str(canary.file), str(PROJECT_ROOT / "pyproject.toml"), str(PROJECT_ROOT / "bot"),
             str(PROJECT_ROOT / "coding_tasks"), str(PROJECT_ROOT / "tests"), "/work/shared",
             "/work/shared/DESIGN.md", "/etc/shadow", "/etc/passwd", "/root/.bash_history", "/home"]  # fmt: skip
    result = sandbox.run(code, ({"paths": paths},))
    assert result.status == "ok"
    assert result.outputs[0].value == {}


def test_stealing_expected_values_through_frames_and_gc_finds_nothing(sandbox: Harness) -> None:
    expected = np.full(7, 0.123456789)  # the parent's reference: it never enters the job
    code = (
        "import gc, sys\n"
        "import numpy as np\n"
        "def attack(x):\n"
        "    loot = []\n"
        "    frame = sys._getframe()\n"
        "    while frame is not None:\n"
        "        loot += [repr(v)[:200] for v in frame.f_locals.values()]\n"
        "        frame = frame.f_back\n"
        "    for obj in gc.get_objects():\n"
        "        if isinstance(obj, np.ndarray) and obj.size == 7:\n"
        "            loot.append(obj.tolist())\n"
        "    return loot\n"
    )
    result = sandbox.run(code, ({"x": np.zeros(3)},))
    assert result.status == "ok"
    assert "0.123456789" not in repr(result.outputs[0].value)
    assert expected.tolist() not in result.outputs[0].value


# ---------------------------------------------------------------- network
def test_network_to_loopback_is_blocked(sandbox: Harness) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    code = (
        "import ctypes, socket\n"
        "def attack(port):\n"
        "    outcomes = []\n"
        "    try:\n"
        "        socket.create_connection(('127.0.0.1', port), timeout=1).close()\n"
        "        outcomes.append('connected')\n"
        "    except OSError as exc:\n"
        "        outcomes.append(type(exc).__name__)\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    outcomes.append([libc.syscall(41, 2, 1, 0), ctypes.get_errno()])\n"
        "    return outcomes\n"
    )
    try:
        result = sandbox.run(code, ({"port": port},))
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert result.outputs[0].value == ["PermissionError", [-1, 1]]


# ---------------------------------------------------------------- signals and crashes
def test_killing_the_parent_and_everything_leaves_the_service_running(
    sandbox: Harness, runner: PooledRunner
) -> None:
    pids_before = runner.service_pids()
    code = (
        "import os, signal\n"
        "def attack():\n"
        "    for target in (os.getppid(), 0, -1, 1):\n"
        "        try:\n"
        "            os.kill(target, signal.SIGKILL)\n"
        "        except OSError:\n"
        "            pass\n"
        "    return 'still alive'\n"
    )
    result = sandbox.run(code)
    assert result.status in ("ok", "crashed")
    assert runner.service_pids() == pids_before


def test_segfault_is_reported_as_a_crash(sandbox: Harness) -> None:
    result = sandbox.run("import ctypes\ndef attack():\n    return ctypes.string_at(0)\n")
    assert result.status == "crashed"
    assert result.detail == "killed by SIGSEGV"


def test_deep_recursion_is_contained(sandbox: Harness) -> None:
    plain = sandbox.run("def attack(n=0):\n    return attack(n + 1)\n")
    assert plain.status == "ok" and plain.outputs[0].error.type == "RecursionError"
    assert plain.outputs[0].error.line == 2
    unbounded = sandbox.run(
        "import sys\nsys.setrecursionlimit(10**8)\ndef attack(n=0):\n    return attack(n + 1)\n"
    )
    assert unbounded.status in ("crashed", "timeout", "memory")


def test_sys_exit_and_os_exit_are_reported(sandbox: Harness) -> None:
    at_import = sandbox.run("import sys\nsys.exit(0)\n")
    assert at_import.status == "error" and at_import.load_error.type == "SystemExit"
    in_case = sandbox.run("import sys\ndef attack():\n    sys.exit(3)\n", ({}, {}))
    assert in_case.status == "ok" and [o.error.type for o in in_case.outputs] == ["SystemExit"] * 2
    hard = sandbox.run("import os\ndef attack():\n    os._exit(0)\n")
    assert hard.status == "crashed" and "before returning all results" in hard.detail


# ---------------------------------------------------------------- comparisons happen in the parent
def test_monkeypatching_numpy_comparisons_does_not_reach_the_parent(sandbox: Harness) -> None:
    code = (
        "import numpy as np\n"
        "np.allclose = lambda *a, **k: True\n"
        "np.array_equal = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n"
        "def attack(x):\n"
        "    return np.asarray(x) + 1.0\n"
    )
    result = sandbox.run(code, ({"x": np.zeros(4)},))
    assert result.status == "ok"
    assert not np.allclose(result.outputs[0].value, np.zeros(4))


def test_monkeypatching_torch_comparisons_does_not_reach_the_parent(sandbox: Harness) -> None:
    code = (
        "import torch\n"
        "torch.allclose = lambda *a, **k: True\n"
        "torch.equal = lambda *a, **k: True\n"
        "torch.testing.assert_close = lambda *a, **k: None\n"
        "def attack(x):\n"
        "    return torch.from_numpy(x) + 1.0\n"
    )
    result = sandbox.run(code, ({"x": np.zeros(4)},), flavour="torch", time_limit_s=5.0)
    assert result.status == "ok"
    assert isinstance(result.outputs[0].value, np.ndarray)
    assert not np.allclose(result.outputs[0].value, np.zeros(4))


def test_torch_infinite_loop_is_killed(sandbox: Harness) -> None:
    code = "import torch\ndef attack():\n    while True:\n        torch.ones(3).sum()\n"
    assert sandbox.run(code, flavour="torch", time_limit_s=1.5).status == "timeout"


def test_torch_memory_bomb_reports_memory(sandbox: Harness) -> None:
    code = "import torch\ndef attack():\n    return float(torch.ones(2**32, dtype=torch.float64).sum())\n"
    result = sandbox.run(code, flavour="torch", memory_mb=256)
    assert result.status == "memory" and result.detail == "exceeded 256 MB"


# ---------------------------------------------------------------- memory outside the address space
_SYSCALL = (
    "import ctypes\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "def call(number, *args):\n"
    "    return [libc.syscall(number, *args), ctypes.get_errno()]\n"
)
EPERM = 1


def test_sysv_shm_is_denied(sandbox: Harness) -> None:
    code = _SYSCALL + (
        "import sys\n"
        "def attack():\n"
        "    got = call(29, 0, 1 << 30, 0o1000 | 0o600)  # shmget(IPC_PRIVATE, 1 GB)\n"
        "    try:\n"
        "        import multiprocessing.shared_memory as sm\n"
        "        sm.SharedMemory(create=True, size=1 << 28)\n"
        "        posix = 'created'\n"
        "    except OSError as exc:\n"
        "        posix = type(exc).__name__\n"
        "    return [got, posix]\n"
    )
    result = sandbox.run(code)
    assert result.status == "ok"
    shmget, posix = result.outputs[0].value
    assert shmget == [-1, EPERM]
    assert posix != "created"  # no /dev/shm in the jail


def test_sysv_message_queues_and_semaphores_are_denied(sandbox: Harness) -> None:
    code = _SYSCALL + (
        "def attack():\n"
        "    return [call(68, 0, 0o1000 | 0o600), call(64, 0, 1, 0o1000 | 0o600)]  # msgget, semget\n"
    )
    result = sandbox.run(code)
    assert result.outputs[0].value == [[-1, EPERM], [-1, EPERM]]


def test_memfd_and_pipe_hoarding_is_denied(sandbox: Harness) -> None:
    code = _SYSCALL + (
        "import os, fcntl\n"
        "def attack():\n"
        "    memfd = call(319, b'hoard', 0)  # memfd_create\n"
        "    secret = call(447, 0)  # memfd_secret\n"
        "    r, w = os.pipe()\n"
        "    try:\n"
        "        fcntl.fcntl(w, 1031, 1 << 20)  # F_SETPIPE_SZ\n"
        "        grown = 'grown'\n"
        "    except OSError as exc:\n"
        "        grown = exc.errno\n"
        "    return [memfd, secret, grown]\n"
    )
    result = sandbox.run(code)
    memfd, secret, grown = result.outputs[0].value
    assert memfd == [-1, EPERM] and secret[0] == -1 and grown == EPERM


def test_ipc_namespace_limits_are_zero(sandbox: Harness) -> None:
    """Behind the filter: even a call that got through would find a namespace with no room."""
    from bot.sandbox import jail

    assert ("sys/kernel/shmmax", "0") in jail.IPC_LIMITS
    code = _SYSCALL + "def attack():\n    return call(29, 0, 4096, 0o1000 | 0o600)\n"
    assert sandbox.run(code).outputs[0].value == [-1, EPERM]


def test_posix_timer_flood_is_denied(sandbox: Harness) -> None:
    code = _SYSCALL + (
        "def attack():\n"
        "    timer = ctypes.c_int()\n"
        "    return call(222, 0, None, ctypes.byref(timer))  # timer_create: kernel memory, no rlimit\n"
    )
    assert sandbox.run(code).outputs[0].value == [-1, EPERM]


# ---------------------------------------------------------------- watching the host
def test_inotify_and_fanotify_are_denied(sandbox: Harness) -> None:
    code = _SYSCALL + (
        "def attack():\n"
        "    return [call(294, 0), call(253), call(300, 0, 0)]  # inotify_init1, inotify_init, fanotify_init\n"
    )
    result = sandbox.run(code)
    assert result.outputs[0].value == [[-1, EPERM], [-1, EPERM], [-1, EPERM]]


def test_kernel_attack_surface_stays_denied(sandbox: Harness) -> None:
    code = _SYSCALL + (
        "def attack():\n"
        "    return {'keyctl': call(250, 0), 'add_key': call(248, b'user', b'k', b'v', 1, -4),\n"
        "            'userfaultfd': call(323, 0), 'io_uring_setup': call(425, 1, None),\n"
        "            'bpf': call(321, 0, None, 0), 'perf_event_open': call(298, None, 0, -1, -1, 0)}\n"
    )
    result = sandbox.run(code)
    assert all(value == [-1, EPERM] for value in result.outputs[0].value.values()), result.outputs[0].value


# ---------------------------------------------------------------- outliving the zygote or the clock
def _job_pids(runner: PooledRunner) -> list[int]:
    return zygote_children(runner)


def test_clearing_the_parent_death_signal_is_denied(sandbox: Harness) -> None:
    code = _SYSCALL + "def attack():\n    return call(157, 1, 0, 0, 0, 0)  # prctl(PR_SET_PDEATHSIG, 0)\n"
    assert sandbox.run(code).outputs[0].value == [-1, EPERM]


def test_job_dies_with_its_zygote() -> None:
    """A job that tries to clear its death signal, then sleeps: killing the zygote must kill it."""
    import threading

    runner = get_runner(slots=2, queue_limit=4)
    try:
        runner.run_sync(SandboxJob(GOOD_SUBMISSION, DRIVER, ({"x": 1},)), user_key="warm")
        zygote = runner.service_pids()["numpy"]
        code = _SYSCALL + "import time\ndef attack():\n    call(157, 1, 0, 0, 0, 0)\n    time.sleep(60)\n"
        job = SandboxJob(code, DRIVER, ({},), time_limit_s=30.0)
        assert wait_no_children(runner) == []  # the warm-up job is gone: the next child is the attacker
        done = threading.Event()
        results: list[SandboxResult] = []
        threading.Thread(target=lambda: (results.append(runner.run_sync(job, user_key="x")), done.set()),
                         daemon=True).start()  # fmt: skip
        deadline = time.monotonic() + 10
        while not (jobs := [pid for pid in zygote_children(runner) if _locked_down(pid)]):
            assert time.monotonic() < deadline, "the job never reached the submission"
            time.sleep(0.01)
        os.kill(zygote, 9)
        # the job must go (its pid vanishes) and the caller hears of it long before the 30 s clock
        assert done.wait(10), "the run did not end when its zygote was killed"
        for pid in jobs:
            deadline = time.monotonic() + 5
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                state = (Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split() or ["?"])[0]
                if state == "Z":
                    break
                time.sleep(0.01)
            assert not Path(f"/proc/{pid}").exists() or state == "Z", "the job outlived its zygote"
        assert results[0].status == "crashed"
    finally:
        runner.close_sync()


def _locked_down(pid: int) -> bool:
    """The job has its seccomp filter: it is about to run (or runs) the submission."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return any(line.split() == ["Seccomp:", "2"] for line in status.splitlines())


def test_stopped_zygote_cannot_keep_a_job_past_its_wall_clock() -> None:
    """The parent kills the job through its own pidfd: a frozen zygote cannot shield it."""
    import signal

    runner = get_runner(slots=2, queue_limit=4)
    try:
        runner.run_sync(SandboxJob(GOOD_SUBMISSION, DRIVER, ({"x": 1},)), user_key="warm")
        zygote = runner.service_pids()["numpy"]
        job = SandboxJob("import time\ndef attack():\n    time.sleep(60)\n", DRIVER, ({},), time_limit_s=1.0)
        assert wait_no_children(runner) == []  # the warm-up job is gone: the next child is the attacker
        future = runner.submit(job, user_key="x")
        deadline = time.monotonic() + 10
        while not (jobs := [pid for pid in zygote_children(runner) if _locked_down(pid)]):
            assert time.monotonic() < deadline, "the job never reached the submission"
            time.sleep(0.01)
        os.kill(zygote, signal.SIGSTOP)
        try:
            result = future.result(timeout=8)
            assert result.status == "timeout"
            for pid in jobs:  # killed (a zombie until the zygote runs again and reaps it)
                stat = Path(f"/proc/{pid}/stat")
                assert not stat.exists() or stat.read_text().split(")")[-1].split()[0] == "Z"
        finally:
            os.kill(zygote, signal.SIGCONT)
    finally:
        runner.close_sync()


# ---------------------------------------------------------------- forged output
def test_forged_bigint_is_a_wire_error(sandbox: Harness) -> None:
    code = (
        "import os, struct\n"
        "def attack():\n"
        "    def frame(payload):\n"
        "        return struct.pack('<I', len(payload)) + payload\n"
        "    case = b'd' + struct.pack('<I', 4) + b's\\x04\\x00\\x00\\x00kind' + b's\\x04\\x00\\x00\\x00case'\n"
        "    case += b's\\x05\\x00\\x00\\x00index' + b'i' + struct.pack('<q', 0)\n"
        "    case += b's\\x02\\x00\\x00\\x00ok' + b'T' + b's\\x05\\x00\\x00\\x00value' + b'I\\x03\\x00\\x00\\x00--5'\n"
        "    os.write(4, frame(case))\n"
        "    os._exit(0)\n"
    )
    result = sandbox.run(code)
    assert result.status == "crashed"
    assert result.detail.startswith("your code's output could not be read: invalid big integer")


def test_forged_empty_array_of_huge_shape_is_a_wire_error(sandbox: Harness) -> None:
    code = (
        "import os, struct\n"
        "def attack():\n"
        "    array = b'a\\x03<f8\\x02' + struct.pack('<QQQ', 0, 2**63, 0)\n"
        "    case = b'd' + struct.pack('<I', 4) + b's\\x04\\x00\\x00\\x00kind' + b's\\x04\\x00\\x00\\x00case'\n"
        "    case += b's\\x05\\x00\\x00\\x00index' + b'i' + struct.pack('<q', 0)\n"
        "    case += b's\\x02\\x00\\x00\\x00ok' + b'T' + b's\\x05\\x00\\x00\\x00value' + array\n"
        "    os.write(4, struct.pack('<I', len(case)) + case)\n"
        "    os._exit(0)\n"
    )
    result = sandbox.run(code)
    assert result.status == "crashed" and "could not be read" in result.detail


def test_lone_surrogates_in_an_error_message_are_replaced(sandbox: Harness) -> None:
    result = sandbox.run("def attack():\n    raise ValueError('bad \\udc80 text \\ud800')\n")
    assert result.status == "ok"
    message = result.outputs[0].error.message
    assert "\ufffd" in message
    message.encode("utf-8")  # a JSON verdict or a Discord message can carry it


def test_millions_of_forged_empty_dicts_cost_the_parent_little(sandbox: Harness) -> None:
    code = (
        "import os, struct\n"
        "def attack():\n"
        "    payload = b'l' + struct.pack('<I', 3_000_000) + b'd\\x00\\x00\\x00\\x00' * 3_000_000\n"
        "    for _ in range(4):\n"
        "        try:\n"
        "            os.write(4, struct.pack('<I', len(payload)) + payload)\n"
        "        except OSError:\n"
        "            break\n"
        "    os._exit(0)\n"
    )
    result = sandbox.run(code, time_limit_s=3.0, bound_s=6.0)
    assert result.status == "crashed" and "could not be read" in result.detail


def test_deeply_nested_source_does_not_break_flavour_detection() -> None:
    from bot.sandbox import detect_flavour

    assert detect_flavour("x = " + "-" * 3500 + "1\nimport torch\n") == "torch"
    assert detect_flavour("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n") == "numpy"
    assert detect_flavour("x = " + "[" * 100_000) == "numpy"
    assert detect_flavour("import torch\n" + "#" * 300_000) == "numpy"  # too long to parse: not parsed


# ---------------------------------------------------------------- further attacks (not in the issue)
_FRAME = (
    "import os, struct\n"
    "def send(payload):\n"
    "    os.write(4, struct.pack('<I', len(payload)) + payload)\n"
    "def text(s):\n"
    "    raw = s.encode()\n"
    "    return b's' + struct.pack('<I', len(raw)) + raw\n"
    "def message(**fields):\n"
    "    out = b'd' + struct.pack('<I', len(fields))\n"
    "    for key, value in fields.items():\n"
    "        out += text(key) + value\n"
    "    return out\n"
)


def test_millions_of_tiny_frames_are_refused_as_they_arrive(sandbox: Harness) -> None:
    code = _FRAME + (
        "def attack():\n"
        "    block = (struct.pack('<I', 1) + b'N') * 200_000\n"
        "    for _ in range(60):\n"
        "        try:\n"
        "            os.write(4, block)\n"
        "        except OSError:\n"
        "            break\n"
        "    os._exit(0)\n"
    )
    result = sandbox.run(code, time_limit_s=3.0)
    assert result.status == "crashed" and "too many messages" in result.detail


def test_forged_done_before_the_cases_is_not_believed(sandbox: Harness) -> None:
    code = _FRAME + "def attack():\n    send(message(kind=text('done')))\n    os._exit(0)\n"
    result = sandbox.run(code, ({}, {}))
    assert result.status == "crashed" and result.outputs == ()


def test_forged_case_out_of_order_is_refused(sandbox: Harness) -> None:
    code = _FRAME + (
        "def attack():\n"
        "    send(message(kind=text('case'), index=b'i' + struct.pack('<q', 1), ok=b'T', value=b'N'))\n"
        "    os._exit(0)\n"
    )
    result = sandbox.run(code, ({}, {}))
    assert result.status == "crashed" and result.detail.endswith("case out of order")


def test_scratch_space_inodes_are_bounded(sandbox: Harness) -> None:
    code = (
        "import os\n"
        "def attack():\n"
        "    made = 0\n"
        "    try:\n"
        "        for i in range(100_000):\n"
        "            open(f'f{i}', 'w').close()\n"
        "            made += 1\n"
        "    except OSError as exc:\n"
        "        return [made, exc.errno]\n"
        "    return [made, None]\n"
    )
    made, error = sandbox.run(code).outputs[0].value
    assert made <= 512 and error is not None


def test_a_job_that_stops_itself_still_ends_at_the_wall_clock(sandbox: Harness) -> None:
    code = "import os, signal, threading\ndef attack():\n    os.kill(os.getpid(), signal.SIGSTOP)\n    threading.Event().wait()\n"
    result = sandbox.run(code, time_limit_s=1.0)
    assert result.status == "timeout"
