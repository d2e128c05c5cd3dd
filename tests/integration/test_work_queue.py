"""Code checks and grading through a real Redis and real `viva worker` processes (REDIS_URL set).

What must hold: the same verdicts and grades as in-process; a worker killed with SIGKILL mid-job loses
nothing (another worker runs the job again, the bot gets exactly one result); waiting survives dropped
Redis connections; a full queue says "busy, try again in N s"; a worker without or with an unreachable
Redis says so in one line and exits 2.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import PROJECT_ROOT
from bot.coding import check_submission
from bot.sandbox.api import Busy
from bot.work import QUEUES
from bot.work.queue import RESULT_PREFIX, WorkQueue, connect
from bot.work.remote import QueuedCodeRunner, QueuedGrading
from tests.conftest import REPO_ROOT
from tests.support.workers import WorkerProcess

TASKS_DIR = PROJECT_ROOT / "coding_tasks"
SUBMISSIONS = PROJECT_ROOT / "tests" / "data" / "submissions"
#: A correct dropout that first spends ~3 s inside the sandbox: long enough to kill its worker mid-job.
SLOW_GOOD_DROPOUT = "import time\ntime.sleep(3)\n" + (SUBMISSIONS / "dropout_good.py").read_text(encoding="utf-8")


def cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    environment.update(PYTHONPATH=str(REPO_ROOT), **env)
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=120,
                          cwd=REPO_ROOT, env=environment)


def test_worker_without_redis_url_names_it_and_exits_2() -> None:
    done = cli("worker")
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "REDIS_URL is not set" in done.stderr


def test_worker_and_bot_with_unreachable_redis_say_so_in_one_line(tmp_path: Path) -> None:
    from tests.support.redis_server import free_port

    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    for args, env in ((("worker",), {}),
                      (("run",), {"DISCORD_TOKEN": "x", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'v.db'}",
                                  "LOG_LEVEL": "WARNING"})):
        done = cli(*args, REDIS_URL=url, **env)
        assert done.returncode == 2, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert "cannot reach Redis" in last and "(REDIS_URL)" in last and "Traceback" not in done.stderr


@pytest.fixture
async def queue(redis_url: str) -> AsyncIterator[WorkQueue]:
    work = WorkQueue(await connect(redis_url), wait_s=90)
    yield work
    await work.close()


@pytest.fixture
def start_worker(redis_url: str, tmp_path: Path) -> Iterator[Any]:
    started: list[WorkerProcess] = []

    def start(queues: str, **env: str) -> WorkerProcess:
        worker = WorkerProcess(redis_url, queues, tmp_path / f"worker-{len(started)}.log", **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.mark.slow
async def test_grades_and_verdicts_from_workers_match_in_process(queue: WorkQueue, start_worker: Any,
                                                                 test_bank: Any, grader: Any) -> None:
    worker = start_worker("code,grade")
    await asyncio.to_thread(worker.wait_ready)
    grading = QueuedGrading(queue, queue_limit=100)
    question = test_bank.question("T07-001")
    answers = [question.reference_answer, "An epoch is one complete pass over all of the training data.",
               "I like turtles very much."]
    remote = await asyncio.gather(*(grading.grade(question, text) for text in answers))
    for text, grade in zip(answers, remote, strict=True):
        local = grader.grade(question, text)
        assert (grade.score, grade.validity, [kp.status for kp in grade.key_points]) == \
               (local.score, local.validity, [kp.status for kp in local.key_points])
    assert remote[0].score >= 3.5 > remote[1].score

    runner = QueuedCodeRunner(queue, queue_limit=8)
    good, bad = await asyncio.gather(
        check_submission("dropout", (SUBMISSIONS / "dropout_good.py").read_text(), runner, user_key="u1",
                         tasks_dir=TASKS_DIR),
        check_submission("dropout", (SUBMISSIONS / "dropout_bad_keep_prob.py").read_text(), runner,
                         user_key="u2", tasks_dir=TASKS_DIR))
    assert good.status == "passed", good.feedback
    assert not bad.passed and bad.feedback
    assert len(runner.timings.queued_ms) == 2 and len(grading.timings.queued_ms) == 3


@pytest.mark.slow
async def test_a_worker_killed_mid_job_loses_nothing(queue: WorkQueue, start_worker: Any, redis_url: str) -> None:
    """SIGKILL the worker running a code check; a second worker runs it again once the job's in-progress
    mark expires (WORKER_JOB_TIMEOUT_S + 10 s); the bot gets one verdict. Meanwhile every Redis client
    connection is dropped, and the wait goes on."""
    first = start_worker("code", WORKER_JOB_TIMEOUT_S="4")
    await asyncio.to_thread(first.wait_ready)
    runner = QueuedCodeRunner(queue, queue_limit=8)
    started = time.monotonic()
    check = asyncio.create_task(check_submission("dropout", SLOW_GOOD_DROPOUT, runner, user_key="u1",
                                                 tasks_dir=TASKS_DIR))
    redis = queue.redis
    for _ in range(200):  # until the first worker holds the job
        if await redis.keys("arq:in-progress:code:*"):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("the worker never started the job")
    await asyncio.sleep(0.5)
    first.kill()
    await redis.client_kill_filter(_type="normal", skipme=False)  # drop every connection, the bot's too
    second = start_worker("code", WORKER_JOB_TIMEOUT_S="4")
    verdict = await asyncio.wait_for(check, 90)
    assert verdict.status == "passed", verdict.feedback
    assert time.monotonic() - started < 60  # retried within a minute
    results = await redis.keys(RESULT_PREFIX + "code:*")
    assert len(results) == 1  # one result for the one job, whoever ran it
    assert "check_code" in second.output()  # arq logs the job it ran: the second worker did it


async def test_a_full_queue_answers_busy_with_a_wait(queue: WorkQueue, test_bank: Any) -> None:
    """No worker is running: the first answer waits in the queue, the second finds it full."""
    grading = QueuedGrading(queue, queue_limit=1)
    question = test_bank.question("T07-001")
    waiting = asyncio.create_task(grading.grade(question, "an answer that waits for a worker"))
    for _ in range(100):
        if await queue.depth(QUEUES["grade"]) == 1:
            break
        await asyncio.sleep(0.02)
    with pytest.raises(Busy) as caught:
        await grading.grade(question, "a second answer")
    assert caught.value.retry_after_s >= 1 and "busy, try again in" in str(caught.value)
    waiting.cancel()


async def test_one_code_job_per_user_at_a_time(queue: WorkQueue) -> None:
    runner = QueuedCodeRunner(queue, queue_limit=8)
    from bot.sandbox.api import SandboxJob

    job = SandboxJob(submission="x = 1", driver="def run_case(module, case):\n    return 1\n", cases=({},))
    first = asyncio.create_task(runner.run(job, user_key="same"))
    await asyncio.sleep(0.1)
    with pytest.raises(Busy, match="already have code running"):
        await runner.run(job, user_key="same")
    first.cancel()
