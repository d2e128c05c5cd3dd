"""The runner as the checker and the bot use it: the real sandbox, through its public interface."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import numpy as np
import pytest

from bot import PROJECT_ROOT
from bot.sandbox import Busy, CodeRunner, SandboxJob, detect_flavour, get_runner
from bot.sandbox.pool import PooledRunner

DRIVER = "def run_case(module, case):\n    return module.solve(**case)\n"


def job(submission: str, *cases: dict, **options: object) -> SandboxJob:
    return SandboxJob(submission=textwrap.dedent(submission), driver=DRIVER, cases=cases or ({},), **options)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def runner() -> Iterator[PooledRunner]:
    pooled = get_runner(slots=3, queue_limit=4)
    yield pooled
    pooled.close_sync()


def process_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


# ---------------------------------------------------------------- values and errors
async def test_values_round_trip_through_the_async_interface(runner: PooledRunner) -> None:
    assert isinstance(runner, CodeRunner)
    submission = """
        import numpy as np
        def solve(x, n):
            print("working on", n)
            return {"double": x * 2, "n": n + 1, "flags": [True, None], "pair": (1.5, "s"),
                    "mean": np.float64(x.mean()), "ints": np.arange(3, dtype=np.int32)}
    """
    result = await runner.run(job(submission, {"x": np.ones((2, 3)), "n": 1}, {"x": np.zeros(1), "n": 2**70}),
                              user_key="values")  # fmt: skip
    assert result.status == "ok" and result.detail == ""
    first, second = (o.value for o in result.outputs)
    assert np.array_equal(first["double"], np.full((2, 3), 2.0))
    assert first["n"] == 2 and first["flags"] == [True, None] and first["pair"] == (1.5, "s")
    assert first["mean"] == 1.0 and first["ints"].dtype == np.int32
    assert second["n"] == 2**70 + 1
    assert result.stdout == "working on 1\nworking on 1180591620717411303424\n"
    assert result.duration_ms > 0


def test_syntax_error_names_the_line(runner: PooledRunner) -> None:
    result = runner.run_sync(job("def solve():\n    return 1\ndef broken(:\n    pass\n"), user_key="syntax")
    assert result.status == "error" and result.outputs == ()
    assert result.load_error is not None
    assert result.load_error.type == "SyntaxError" and result.load_error.line == 3
    assert result.load_error.source_line == "def broken(:"


def test_exception_at_import_is_a_load_error_without_host_paths(runner: PooledRunner) -> None:
    result = runner.run_sync(job("import numpy as np\nx = np.ones(3) @ np.ones(4)\n"), user_key="import")
    assert result.status == "error"
    error = result.load_error
    assert error is not None and error.type == "ValueError" and error.line == 2
    assert error.source_line == "x = np.ones(3) @ np.ones(4)"
    for text in (error.traceback, error.message):
        assert "/work" not in text and "site-packages" not in text and "driver.py" not in text


def test_error_in_a_case_points_at_the_submission_line(runner: PooledRunner) -> None:
    submission = """
        def helper(d):
            return 1 / d

        def solve(d):
            return helper(d)
    """
    result = runner.run_sync(job(submission, {"d": 2}, {"d": 0}), user_key="zerodiv")
    assert result.status == "ok"
    assert result.outputs[0].ok and result.outputs[0].value == 0.5
    failed = result.outputs[1]
    assert not failed.ok and failed.error is not None
    assert failed.error.type == "ZeroDivisionError" and failed.error.line == 3
    assert failed.error.source_line == "    return 1 / d"
    assert 'File "submission.py", line 6, in solve' in failed.error.traceback
    assert "driver.py" not in failed.error.traceback


def test_unsupported_return_values_become_case_errors(runner: PooledRunner) -> None:
    result = runner.run_sync(job("def solve(kind):\n    return object() if kind else {1: 2}\n",
                                 {"kind": 1}, {"kind": 0}), user_key="unsupported")  # fmt: skip
    assert result.status == "ok"
    assert [o.ok for o in result.outputs] == [False, False]
    assert all("cannot return this value" in o.error.message for o in result.outputs if o.error)


# ---------------------------------------------------------------- flavours
def test_torch_flavour_returns_numpy_and_can_forbid_autograd(runner: PooledRunner) -> None:
    tensor_ops = "import torch\ndef solve(x):\n    return torch.relu(torch.from_numpy(x) - 1)\n"
    ok = runner.run_sync(job(tensor_ops, {"x": np.arange(3.0)}, flavour="torch", forbid_autograd=True),
                         user_key="torch")  # fmt: skip
    assert ok.status == "ok"
    assert isinstance(ok.outputs[0].value, np.ndarray) and ok.outputs[0].value.tolist() == [0.0, 0.0, 1.0]

    autograd = """
        import torch
        def solve(x, how):
            t = torch.tensor(x, requires_grad=True) if how == "factory" else torch.from_numpy(x).requires_grad_()
            y = (t * t).sum()
            return torch.autograd.grad(y, t)[0] if how == "grad" else y.backward()
    """
    cases = (
        {"x": np.ones(2), "how": "requires_grad_"},
        {"x": np.ones(2), "how": "grad"},
        {"x": np.ones(2), "how": "factory"},
    )
    banned = runner.run_sync(job(autograd, *cases, flavour="torch", forbid_autograd=True), user_key="torch")
    assert banned.status == "ok"
    assert [o.error.message for o in banned.outputs if o.error] == [
        "autograd is not allowed in this task"
    ] * 3
    allowed = runner.run_sync(job(autograd, *cases[1:2], flavour="torch"), user_key="torch")
    assert allowed.outputs[0].ok and allowed.outputs[0].value.tolist() == [2.0, 2.0]


def test_numpy_flavour_cannot_import_torch(runner: PooledRunner) -> None:
    result = runner.run_sync(job("import torch\ndef solve():\n    return 1\n"), user_key="no-torch")
    assert result.status == "error"
    assert result.load_error is not None and result.load_error.type == "ImportError"
    assert "torch is not available" in result.load_error.message


# ---------------------------------------------------------------- admission
def test_one_running_job_per_user(runner: PooledRunner) -> None:
    slow = runner.submit(
        job("import time\ndef solve():\n    time.sleep(0.8)\n    return 1\n"), user_key="alice"
    )
    try:
        with pytest.raises(Busy) as busy:
            runner.run_sync(job("def solve():\n    return 2\n"), user_key="alice")
        assert str(busy.value).startswith("busy") and busy.value.retry_after_s >= 1
        assert runner.run_sync(job("def solve():\n    return 3\n"), user_key="bob").outputs[0].value == 3
    finally:
        assert slow.result().outputs[0].value == 1
    assert runner.run_sync(job("def solve():\n    return 4\n"), user_key="alice").outputs[0].value == 4


def test_bounded_queue_answers_busy_with_a_retry_time() -> None:
    small = get_runner(slots=1, queue_limit=1)
    sleeper = job("import time\ndef solve():\n    time.sleep(0.5)\n    return 1\n")
    try:
        running = small.submit(sleeper, user_key="u1")
        queued = small.submit(sleeper, user_key="u2")
        with pytest.raises(Busy, match=r"^busy, try again in \d+ s$") as busy:
            small.submit(sleeper, user_key="u3")
        assert busy.value.retry_after_s >= 1
        assert [f.result().status for f in (running, queued)] == ["ok", "ok"]
        assert small.run_sync(sleeper, user_key="u3").status == "ok"
    finally:
        small.close_sync()


async def test_cancelled_wait_keeps_the_slot_until_the_job_ends(runner: PooledRunner) -> None:
    waiting = asyncio.ensure_future(runner.run(job("import time\ndef solve():\n    time.sleep(0.5)\n    return 1\n"),
                                               user_key="carol"))  # fmt: skip
    await asyncio.sleep(0.1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    with pytest.raises(Busy):
        await runner.run(job("def solve():\n    return 2\n"), user_key="carol")
    deadline = time.monotonic() + 5
    while True:
        try:
            result = await runner.run(job("def solve():\n    return 2\n"), user_key="carol")
            break
        except Busy:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.05)
    assert result.outputs[0].value == 2


def test_long_jobs_drop_to_the_lowest_cpu_priority(runner: PooledRunner) -> None:
    probe = """
        import os, time
        def solve(wait):
            time.sleep(wait)
            return os.getpriority(os.PRIO_PROCESS, 0)
    """
    quick = runner.run_sync(job(probe, {"wait": 0.0}), user_key="nice")
    if quick.duration_ms < 250:  # finished well before the demotion point (not guaranteed on a busy host)
        assert quick.outputs[0].value == 0
    slow = runner.run_sync(job(probe, {"wait": 0.8}), user_key="nice")
    assert slow.outputs[0].value == 19


# ---------------------------------------------------------------- lifecycle
def test_close_leaves_no_zygote_behind() -> None:
    own = get_runner(slots=1, queue_limit=0)
    assert own.service_pids() == {}  # lazy: nothing started before the first job
    assert own.run_sync(job("def solve():\n    return 1\n"), user_key="x").status == "ok"
    pids = list(own.service_pids().values())
    assert len(pids) == 1 and process_alive(pids[0])
    asyncio.run(own.close())
    assert not process_alive(pids[0])


def test_a_dead_zygote_is_replaced(runner: PooledRunner) -> None:
    runner.run_sync(job("def solve():\n    return 1\n"), user_key="phoenix")
    old = runner.service_pids()["numpy"]
    os.kill(old, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while process_alive(old) and time.monotonic() < deadline:
        time.sleep(0.02)
    result = runner.run_sync(job("def solve():\n    return 2\n"), user_key="phoenix")
    if result.status != "ok":  # the first job may race the death notice; the next must work
        result = runner.run_sync(job("def solve():\n    return 2\n"), user_key="phoenix")
    assert result.status == "ok" and result.outputs[0].value == 2
    assert runner.service_pids()["numpy"] != old


def test_zygotes_do_not_outlive_a_killed_parent() -> None:
    script = textwrap.dedent("""
        import sys, time
        from types import SimpleNamespace
        from bot.sandbox import SandboxJob, get_runner
        r = get_runner(slots=1, queue_limit=0)
        r.run_sync(SandboxJob("def f():\\n    pass\\n", "def run_case(m, c):\\n    return 1\\n", ({},)), user_key="k")
        print(r.service_pids()["numpy"], flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, cwd=PROJECT_ROOT, text=True
    )
    try:
        zygote = int(parent.stdout.readline())  # type: ignore[union-attr]
        assert process_alive(zygote)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 5
    while process_alive(zygote) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not process_alive(zygote)


# ---------------------------------------------------------------- missing isolation
_BLOCK_UNSHARE = textwrap.dedent("""
    import ctypes, errno, sys
    from types import SimpleNamespace
    from bot.sandbox.seccomp_filter import SCMP_ACT_ALLOW, load_libseccomp, scmp_act_errno
    # What a default container profile does: no unshare/clone of namespaces for anyone below us.
    lib = load_libseccomp()
    ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
    lib.seccomp_rule_add_array(ctx, scmp_act_errno(errno.EPERM), lib.seccomp_syscall_resolve_name(b"unshare"), 0, None)
    assert lib.seccomp_load(ctx) == 0
    from bot.sandbox import IsolationUnavailable, SandboxJob, get_runner
    unsafe = sys.argv[1] == "unsafe"
    try:
        runner = get_runner(slots=1, queue_limit=0, allow_unsafe_local=unsafe)
    except IsolationUnavailable as exc:
        print("UNAVAILABLE", exc)
        sys.exit(0)
    job = SandboxJob("def f(x):\\n    return x + 1\\n", "def run_case(m, c):\\n    return m.f(c['x'])\\n", ({"x": 1},))
    for _ in range(2):
        result = runner.run_sync(job, user_key="me")
    print("RAN", result.status, result.outputs[0].value)
    runner.close_sync()
""")


@pytest.mark.parametrize("mode", ["strict", "unsafe"])
def test_missing_isolation_is_refused_unless_unsafe_local_is_allowed(mode: str) -> None:
    done = subprocess.run([sys.executable, "-c", _BLOCK_UNSHARE, mode], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    if mode == "strict":
        assert done.stdout.startswith("UNAVAILABLE code sandbox unavailable:")
        assert "unshare" in done.stdout and "SANDBOX_ALLOW_UNSAFE_LOCAL" in done.stdout
    else:
        assert done.stdout.strip() == "RAN ok 2"
        assert done.stderr.count("WARNING: SANDBOX_ALLOW_UNSAFE_LOCAL is on") == 1


# ---------------------------------------------------------------- flavour routing
@pytest.mark.parametrize(
    ("source", "flavour"),
    [
        ("import numpy as np\ndef f(x):\n    return np.tanh(x)\n", "numpy"),
        ("import torch\n", "torch"),
        ("import torch.nn.functional as F\n", "torch"),
        ("from torch import nn\n", "torch"),
        ("def f():\n    import torch\n", "torch"),
        ("t = __import__('torch')\n", "torch"),
        ("import importlib\nt = importlib.import_module('torch.nn')\n", "torch"),
        ("# import torch\nx = 'torch'\n", "numpy"),
        ("def broken(:\n", "numpy"),
    ],
)
def test_detect_flavour_routes_torch_imports_to_the_torch_zygote(source: str, flavour: str) -> None:
    assert detect_flavour(source) == flavour
