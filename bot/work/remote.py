"""The bot's two interfaces on top of the queue: `QueuedCodeRunner` (a CodeRunner) and `QueuedGrading`
(a GradingService). Jobs carry only what a worker needs: the submission, the trusted driver and the case
inputs; or a question id and the answer text. No token, no database URL, no user identity."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from typing import Any

from bot.bank.schema import Question
from bot.grading.grade import Grade
from bot.sandbox.api import Busy, IsolationUnavailable, SandboxJob, SandboxResult
from bot.work import QUEUES
from bot.work.codec import grade_from_dict, job_to_dict, result_from_dict
from bot.work.queue import WorkFailed, WorkQueue

log = logging.getLogger(__name__)

#: Rough cost of one queued job, to turn a queue depth into "try again in N s".
CODE_JOB_S = 0.4
GRADE_JOB_S = 0.05


class QueueTimings:
    """Enqueue-to-start delays seen by this process (for the benchmark and the logs)."""

    def __init__(self) -> None:
        self.queued_ms: list[float] = []

    def add(self, result: dict[str, Any], submitted_at: float) -> None:
        started = result.get("started_at")
        if isinstance(started, float):
            self.queued_ms.append(max(0.0, (started - submitted_at) * 1000))


class QueuedCodeRunner:
    """CodeRunner that runs each job in a `viva worker --queues code` process."""

    def __init__(self, queue: WorkQueue, *, queue_limit: int, owns_queue: bool = False) -> None:
        self.queue = queue
        self.queue_limit = queue_limit
        self._owns_queue = owns_queue
        self._users: set[str] = set()
        self.timings = QueueTimings()

    async def run(self, job: SandboxJob, *, user_key: str) -> SandboxResult:
        if user_key in self._users:
            wait = max(1, round(job.time_limit_s / 2))
            raise Busy(float(wait), f"busy: you already have code running, try again in {wait} s")
        self._users.add(user_key)
        try:
            submitted = time.time()
            result = await self.queue.run(
                QUEUES["code"], "check_code", job_to_dict(job), job_id=f"code:{uuid.uuid4().hex}",
                limit=self.queue_limit, retry_after=lambda depth: max(1.0, min(60.0, depth * CODE_JOB_S)))
        finally:
            self._users.discard(user_key)
        self.timings.add(result, submitted)
        if result.get("kind") == "isolation":
            raise IsolationUnavailable(str(result.get("error", "the worker cannot isolate submissions")))
        if result.get("kind") != "result":
            raise WorkFailed(str(result.get("error", "unexpected reply from the code worker")))
        return result_from_dict(result["result"])

    async def close(self) -> None:
        if self._owns_queue:
            await self.queue.close()


class QueuedGrading:
    """GradingService that grades in `viva worker --queues grade` processes.

    The job id is a hash of the question's rubric and the answer: grading is deterministic, so the same answer
    submitted twice (a retry after a reconnect, a double click) is graded once and both get the grade.
    """

    def __init__(self, queue: WorkQueue, *, queue_limit: int) -> None:
        self.queue = queue
        self.queue_limit = queue_limit
        self.timings = QueueTimings()
        #: question id -> (the question, the hash of its rubric so far), so a rubric is serialised once, not for
        #: every answer. Questions are frozen; a reloaded bank (new objects) is hashed again.
        self._rubrics: dict[str, tuple[Question, Any]] = {}

    def _job_id(self, question: Question, answer: str) -> str:
        cached = self._rubrics.get(question.id)
        if cached is None or cached[0] is not question:
            rubric = question.model_dump_json()  # a changed rubric is a different job, never a stale grade
            cached = self._rubrics[question.id] = (question, hashlib.sha256(f"{rubric}\0".encode()))
        digest = cached[1].copy()
        digest.update(answer.encode("utf-8", "surrogatepass"))
        return f"grade:{digest.hexdigest()[:32]}"

    async def grade(self, question: Question, answer: str) -> Grade:
        submitted = time.time()
        result = await self.queue.run(
            QUEUES["grade"], "grade_answer", {"question_id": question.id, "answer": answer},
            job_id=self._job_id(question, answer), limit=self.queue_limit,
            retry_after=lambda depth: max(1.0, min(60.0, depth * GRADE_JOB_S)))
        self.timings.add(result, submitted)
        if result.get("kind") != "grade":
            raise WorkFailed(str(result.get("error", "unexpected reply from the grading worker")))
        return grade_from_dict(result["grade"])
