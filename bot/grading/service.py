"""The one async interface the interview and study engines use to grade an answer (docs/architecture.md §7).

In-process by default (the grading thread pool); with REDIS_URL set, `bot.work.remote.QueuedGrading`
sends the same call to `viva worker` processes.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.bank.schema import Question
from bot.grading.grade import Grade
from bot.grading.grader import Grader
from bot.grading.pool import in_grading_thread


@runtime_checkable
class GradingService(Protocol):
    async def grade(self, question: Question, answer: str) -> Grade: ...


class InProcessGrading:
    """Grade in this process, off the event loop, on the shared grading thread pool."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader

    async def grade(self, question: Question, answer: str) -> Grade:
        return await in_grading_thread(self.grader.grade, question, answer)
