"""Job ids of queued grading (bot/work/remote.py): a hash of the question's rubric and the answer, so the same
answer to the same rubric is graded once, and a changed rubric is never answered with a stale grade (the
rubric's hash is kept per question object, so this must hold for a new object under the same id too)."""

from __future__ import annotations

import hashlib
from typing import Any

from bot.work.remote import QueuedGrading


def documented_id(question: Any, answer: str) -> str:
    rubric = question.model_dump_json()
    return "grade:" + hashlib.sha256(f"{rubric}\0{answer}".encode("utf-8", "surrogatepass")).hexdigest()[:32]


def test_job_ids_hash_the_rubric_and_the_answer(test_bank: Any) -> None:
    grading = QueuedGrading(None, queue_limit=1)  # type: ignore[arg-type]  # ids need no queue
    question = test_bank.question("T07-001")
    for answer in ("An epoch is one pass over the data.", "", "caf\u00e9 \ud800 (a lone surrogate)"):
        assert grading._job_id(question, answer) == documented_id(question, answer)
        assert grading._job_id(question, answer) == grading._job_id(question, answer)
    assert grading._job_id(question, "one answer") != grading._job_id(question, "another answer")


def test_a_changed_rubric_under_the_same_id_gets_another_job_id(test_bank: Any) -> None:
    grading = QueuedGrading(None, queue_limit=1)  # type: ignore[arg-type]
    question = test_bank.question("T07-001")
    before = grading._job_id(question, "the same answer")
    edited = question.model_copy(update={"reference_answer": question.reference_answer + " Edited."})
    assert edited.id == question.id
    assert grading._job_id(edited, "the same answer") == documented_id(edited, "the same answer") != before
