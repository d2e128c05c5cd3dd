"""Sandbox latency and throughput: the warm zygote pool against a cold start, in the same run.

Prints one `name: value unit (detail)` line per figure (docs/architecture.md §6):
  dropout_p50_ms, dropout_p95_ms        end to end (submit -> verdict, comparison in the parent), sequential
  dropout_throughput_per_s              a burst of checks from distinct users, all slots busy
  mlp_p50_ms                            the mlp_backprop task, sequential
  cold_dropout_p50_ms                   one fresh sandboxed python importing torch per submission
  warm_speedup_vs_cold                  cold p50 / warm p50
  burst_good_p95_ms                     p95 of the good jobs in a burst of 20 that contains 2 infinite loops

Uses the real tasks through bot.coding.check_submission when it is available, else equivalent inline jobs.
Targets on 2 cores: dropout p50 <= 50 ms, >= 20x faster than cold, >= 40 checks/s, burst p95 <= 500 ms.

    python benchmarks/sandbox.py [--n 200] [--cold-n 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.sandbox import SandboxJob, SandboxResult
from bot.sandbox.pool import PooledRunner
from bot.sandbox.runner import make_warm_runner
from bot.sandbox.zygote_client import ZygoteClient

# The same correct solutions the test suite checks (tests/data/submissions/), read once.
SUBMISSIONS = Path(__file__).resolve().parent.parent / "tests" / "data" / "submissions"
DROPOUT_SOLUTION = (SUBMISSIONS / "dropout_good.py").read_text(encoding="utf-8")
MLP_SOLUTION = (SUBMISSIONS / "mlp_backprop_good.py").read_text(encoding="utf-8")

LOOP = (
    "def dropout_forward(x, p, train, rng):\n    while True:\n        pass\n\n"
    "def dropout_backward(dout, cache):\n    return dout\n"
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


Check = Callable[[str, str, str], Awaitable[tuple[bool, str]]]
#: time spent inside the sandbox (SandboxResult.duration_ms) per check, to tell it from checker time
SANDBOX_MS: list[float] = []


def make_check(runner: PooledRunner) -> tuple[Check, str]:
    """(check(task, source, user) -> (passed, status), description)."""
    try:
        from bot.coding import check_submission

        async def check(task: str, source: str, user: str) -> tuple[bool, str]:
            verdict = await check_submission(task, source, runner, user_key=user, seed=1,
                                             tasks_dir=Path(__file__).resolve().parent.parent / "coding_tasks")
            SANDBOX_MS.append(verdict.duration_ms)
            return verdict.passed, verdict.status

        return check, "real tasks via bot.coding"
    except ImportError:
        import numpy as np

        driver = (
            "import numpy as np\n"
            "def run_case(module, case):\n"
            "    rng = np.random.default_rng(case['seed'])\n"
            "    out, cache = module.dropout_forward(case['x'], case['p'], case['train'], rng)\n"
            "    return {'out': out, 'dx': module.dropout_backward(np.ones_like(out), cache)}\n"
        )
        cases = tuple({"x": np.random.default_rng(i).normal(size=(64, 64)), "p": p, "train": t, "seed": i}
                      for i, (p, t) in enumerate([(0.5, True), (0.2, True), (0.9, True), (0.5, False)]))  # fmt: skip

        async def check(task: str, source: str, user: str) -> tuple[bool, str]:
            result = await runner.run(SandboxJob(source, driver, cases, flavour="torch"), user_key=user)
            SANDBOX_MS.append(result.duration_ms)
            return result.status == "ok" and all(o.ok for o in result.outputs), result.status

        return check, "inline jobs (bot.coding not available)"


async def timed(check: Check, task: str, source: str, user: str) -> tuple[float, bool, str]:
    started = time.perf_counter()
    passed, status = await check(task, source, user)
    return (time.perf_counter() - started) * 1000, passed, status


async def sequential(check: Check, task: str, source: str, n: int) -> list[float]:
    times = []
    for i in range(n):
        ms, passed, status = await timed(check, task, source, f"seq-{i}")
        if not passed:
            raise SystemExit(f"benchmark solution for {task} did not pass: {status}")
        times.append(ms)
    return times


async def burst(check: Check, sources: list[str]) -> list[tuple[float, bool, str]]:
    return await asyncio.gather(*(timed(check, "dropout", s, f"burst-{i}") for i, s in enumerate(sources)))


def cold_dropout_ms(n: int) -> list[float]:
    """One fresh sandboxed interpreter (jail + `import torch`) per submission, then the same job."""
    import numpy as np

    from bot.sandbox.execution import run_job

    driver = (
        "import numpy as np\n"
        "def run_case(module, case):\n"
        "    rng = np.random.default_rng(0)\n"
        "    out, cache = module.dropout_forward(case['x'], 0.5, True, rng)\n"
        "    return module.dropout_backward(np.ones_like(out), cache)\n"
    )
    job = SandboxJob(DROPOUT_SOLUTION, driver, ({"x": np.ones((64, 64))},), flavour="torch", time_limit_s=30)
    times = []
    for _ in range(n):
        started = time.perf_counter()
        client = ZygoteClient("torch")
        try:
            result: SandboxResult = run_job(client, job)
        finally:
            client.close()
        if result.status != "ok":
            raise SystemExit(f"cold run failed: {result}")
        times.append((time.perf_counter() - started) * 1000)
    return times


async def main_async(args: argparse.Namespace) -> None:
    runner = make_warm_runner(slots=args.slots, queue_limit=64)
    try:
        check, how = make_check(runner)
        await sequential(check, "dropout", DROPOUT_SOLUTION, 5)  # start the zygote, warm caches
        SANDBOX_MS.clear()
        drop = await sequential(check, "dropout", DROPOUT_SOLUTION, args.n)
        print(f"dropout_p50_ms: {statistics.median(drop):.1f} ms (n={args.n}, warm, {how}; "
              f"sandbox part p50 {statistics.median(SANDBOX_MS):.1f} ms)")  # fmt: skip
        print(f"dropout_p95_ms: {percentile(drop, 95):.1f} ms (n={args.n}, warm)")

        count = args.slots * 16
        started = time.perf_counter()
        results = await burst(check, [DROPOUT_SOLUTION] * count)
        elapsed = time.perf_counter() - started
        assert all(passed for _, passed, _ in results)
        print(f"dropout_throughput_per_s: {count / elapsed:.1f} /s ({count} checks from distinct users, "
              f"{args.slots} slots)")  # fmt: skip

        await sequential(check, "mlp_backprop", MLP_SOLUTION, 3)
        mlp = await sequential(check, "mlp_backprop", MLP_SOLUTION, max(10, args.n // 4))
        print(f"mlp_p50_ms: {statistics.median(mlp):.1f} ms (n={len(mlp)}, warm)")

        sources = [DROPOUT_SOLUTION] * 20
        sources[3] = sources[11] = LOOP
        results = await burst(check, sources)
        good = [ms for (ms, _passed, _status), src in zip(results, sources, strict=True) if src is not LOOP]
        statuses = sorted(
            {status for (_, _, status), src in zip(results, sources, strict=True) if src is LOOP}
        )
        print(f"burst_good_p95_ms: {percentile(good, 95):.1f} ms (20 jobs incl. 2 infinite loops -> "
              f"{'/'.join(statuses)}, {args.slots} slots)")  # fmt: skip
    finally:
        await runner.close()

    cold = cold_dropout_ms(args.cold_n)
    cold_p50 = statistics.median(cold)
    print(f"cold_dropout_p50_ms: {cold_p50:.1f} ms (n={args.cold_n}, fresh sandboxed python importing torch)")
    print(f"warm_speedup_vs_cold: {cold_p50 / statistics.median(drop):.1f} x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="sequential dropout checks")
    parser.add_argument("--cold-n", type=int, default=5, help="cold runs")
    parser.add_argument("--slots", type=int, default=4)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
