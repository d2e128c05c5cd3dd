"""Measure the grader on human-graded answers (the `eval-grader` command, docs/architecture.md §2).

Each row is graded on its own, exactly as the bot grades one answer at a time: nothing is computed
over the file's other answers or labels, except the held-out linear map used for RMSE.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from bot.bank.schema import Question
from bot.grading import metrics
from bot.grading.embedder import Embedder
from bot.grading.grader import Grader

RubricSource = Literal["reference", "bank"]
REQUIRED_COLUMNS = ("question", "reference_answer", "student_answer", "score")


class EvalDataError(ValueError):
    """The CSV cannot be evaluated (missing file or column, bad score); the message says which."""


@dataclass(frozen=True)
class EvalRow:
    question: str
    reference_answer: str
    student_answer: str
    score: float
    group: str  # question_id when the CSV has one, else the question text (for held-out fits)


@dataclass(frozen=True)
class BankMatch:
    question_id: str
    similarity: float


@dataclass
class EvalResult:
    pearson_r: float
    spearman_rho: float
    rmse: float
    auc_weak: float
    n: int
    ms_per_answer: float
    predictions: list[float]
    matches: list[BankMatch] = field(default_factory=list)
    #: per row, the key-point statuses in rubric order (covered/partial/missing/contradicted)
    key_points: list[list[str]] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        return {
            "pearson_r": round(self.pearson_r, 4),
            "spearman_rho": round(self.spearman_rho, 4),
            "rmse": round(self.rmse, 4),
            "auc_weak": round(self.auc_weak, 4),
            "n": self.n,
            "ms_per_answer": round(self.ms_per_answer, 2),
        }


def read_eval_csv(path: Path) -> list[EvalRow]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise EvalDataError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = []
            for line, record in enumerate(reader, start=2):
                try:
                    score = float(record["score"])
                except (TypeError, ValueError):
                    raise EvalDataError(f"{path}:{line}: score {record['score']!r} is not a number") from None
                rows.append(
                    EvalRow(
                        question=record["question"] or "",
                        reference_answer=record["reference_answer"] or "",
                        student_answer=record["student_answer"] or "",
                        score=score,
                        group=(record.get("question_id") or record["question"] or "").strip(),
                    )
                )
    except OSError as exc:
        raise EvalDataError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not rows:
        raise EvalDataError(f"{path}: no rows")
    return rows


class BankMatcher:
    """Finds the bank question whose prompt is closest (embedding cosine) to a question text."""

    def __init__(self, questions: Mapping[str, Question], embedder: Embedder) -> None:
        if not questions:
            raise EvalDataError("the question bank is empty: cannot grade with --rubric bank")
        self._ids = list(questions)
        self._questions = dict(questions)
        self._embedder = embedder
        encoded = embedder.encode_cached([q.prompt for q in questions.values()])
        self._matrix = np.stack([e.vector for e in encoded])
        self._cache: dict[str, BankMatch] = {}

    def match(self, question_text: str) -> BankMatch:
        if question_text not in self._cache:
            vector = self._embedder.encode_cached([question_text])[0].vector
            sims = self._matrix @ vector
            best = int(sims.argmax())
            self._cache[question_text] = BankMatch(self._ids[best], float(sims[best]))
        return self._cache[question_text]

    def question(self, question_id: str) -> Question:
        return self._questions[question_id]


def evaluate(
    rows: Sequence[EvalRow],
    grader: Grader,
    rubric: RubricSource = "reference",
    bank_questions: Mapping[str, Question] | None = None,
) -> EvalResult:
    matcher = BankMatcher(bank_questions or {}, grader.embedder) if rubric == "bank" else None
    predictions: list[float] = []
    statuses: list[list[str]] = []
    matches: list[BankMatch] = []
    if matcher is not None:  # matching is set-up work, not per-answer grading time
        matches = [matcher.match(row.question) for row in rows]
    grader.embedder.load()
    started = time.perf_counter()
    for i, row in enumerate(rows):
        if matcher is not None:
            grade = grader.grade(matcher.question(matches[i].question_id), row.student_answer)
        else:
            grade = grader.grade_reference(row.question, row.reference_answer, row.student_answer)
        predictions.append(grade.score)
        statuses.append([kp.status for kp in grade.key_points])
    elapsed = time.perf_counter() - started
    gold = [row.score for row in rows]
    return EvalResult(
        pearson_r=metrics.pearson(predictions, gold),
        spearman_rho=metrics.spearman(predictions, gold),
        rmse=metrics.held_out_rmse(predictions, gold, [row.group for row in rows]),
        auc_weak=metrics.auc_weak(predictions, gold),
        n=len(rows),
        ms_per_answer=1000 * elapsed / len(rows),
        predictions=predictions,
        matches=matches,
        key_points=statuses,
    )
