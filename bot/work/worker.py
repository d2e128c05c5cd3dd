"""`viva worker`: arq workers taking code checks and/or grading jobs from Redis.

A code worker has the sandbox and nothing else: no database, no Discord token (it never reads them).
A grade worker has the question bank and the model, loaded and warmed before it says it is ready.
A worker killed mid-job loses nothing: arq keeps the job queued until it finishes, and once the job's
in-progress mark expires (WORKER_JOB_TIMEOUT_S + 10 s) another worker runs it again.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from typing import Any

from arq import Retry
from arq.worker import Worker, func

from bot.config import Settings
from bot.sandbox.api import Busy, IsolationUnavailable
from bot.work import QUEUES
from bot.work.codec import deserialize, grade_to_dict, job_from_dict, result_to_dict, serialize
from bot.work.queue import connect, describe, make_redis, store_result

log = logging.getLogger(__name__)

#: How often a worker looks for new jobs (the floor of the queue's enqueue-to-start delay).
POLL_S = 0.02
#: A job is tried this many times (a worker killed mid-job counts as a try) before it is given up.
MAX_TRIES = 3
#: Each worker records a health line (jobs done, failed, queued) this often.
HEALTH_S = 30


async def check_code(ctx: dict[str, Any], payload: dict[str, Any]) -> None:
    started = time.time()
    try:
        result = await ctx["runner"].run(job_from_dict(payload), user_key=ctx["job_id"])
        reply: dict[str, Any] = {"kind": "result", "result": result_to_dict(result)}
    except Busy as busy:  # the local pool is full (only with more jobs than slots): try again shortly
        raise Retry(defer=busy.retry_after_s) from None
    except IsolationUnavailable as error:
        reply = {"kind": "isolation", "error": str(error)}
    except Exception as error:
        log.exception("code job %s failed", ctx["job_id"])
        reply = {"kind": "failed", "error": f"{type(error).__name__}: {error}"}
    reply["started_at"] = started
    await store_result(ctx["redis"], ctx["job_id"], reply)


async def grade_answer(ctx: dict[str, Any], payload: dict[str, Any]) -> None:
    from bot.grading.pool import in_grading_thread

    started = time.time()
    bank = ctx["bank"]
    question_id = str(payload["question_id"])
    if question_id not in bank.questions:
        reply: dict[str, Any] = {"kind": "failed", "error": f"unknown question {question_id!r} on this worker"}
    else:
        try:
            grade = await in_grading_thread(ctx["grader"].grade, bank.question(question_id), str(payload["answer"]))
            reply = {"kind": "grade", "grade": grade_to_dict(grade)}
        except Exception as error:
            log.exception("grade job %s failed", ctx["job_id"])
            reply = {"kind": "failed", "error": f"{type(error).__name__}: {error}"}
    reply["started_at"] = started
    await store_result(ctx["redis"], ctx["job_id"], reply)


def _worker(settings: Settings, queue: str, function: Any, *, max_jobs: int, ctx: dict[str, Any]) -> Worker:
    return Worker(
        functions=[func(function, timeout=settings.worker_job_timeout_s, max_tries=MAX_TRIES)],
        queue_name=queue, redis_pool=make_redis(settings.redis_url or ""), max_jobs=max_jobs,
        poll_delay=POLL_S, keep_result=0, handle_signals=False, health_check_interval=HEALTH_S,
        job_serializer=serialize, job_deserializer=deserialize, ctx=ctx, retry_jobs=True, max_tries=MAX_TRIES,
    )


def _grading_context(settings: Settings) -> dict[str, Any]:
    from bot.bank.loader import load_bank
    from bot.grading import get_grader
    from bot.services import llm_settings

    bank = load_bank(settings.content_dir)
    grader = get_grader(bank.misconceptions, llm_settings(settings))
    grader.embedder.load()
    grader.warm(list(bank.questions.values()))
    return {"bank": bank, "grader": grader}


async def serve(settings: Settings, queues: list[str]) -> None:
    """Run until SIGTERM/SIGINT. Raises QueueUnavailable (one line) when Redis cannot be reached."""
    url = settings.redis_url or ""
    probe = await connect(url)
    await probe.aclose()
    started = time.perf_counter()
    workers: list[Worker] = []
    runner = None
    if "code" in queues:
        from bot.services import code_runner_for

        runner = code_runner_for(settings)
        workers.append(_worker(settings, QUEUES["code"], check_code, ctx={"runner": runner},
                               max_jobs=settings.sandbox_slots + settings.sandbox_queue_limit))
    if "grade" in queues:
        context = await asyncio.to_thread(_grading_context, settings)
        workers.append(_worker(settings, QUEUES["grade"], grade_answer, ctx=context,
                               max_jobs=settings.worker_grade_jobs))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(w.async_run()) for w in workers]
    log.info("worker ready: queues %s on Redis %s (set up in %.1f s)", ",".join(queues), describe(url),
             time.perf_counter() - started)
    stopper = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is not stopper and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
    finally:
        log.info("worker stopping: unfinished jobs go back to the queue")
        for worker in workers:
            await worker.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        stopper.cancel()
        if runner is not None:
            await runner.close()
