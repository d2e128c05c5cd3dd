"""A candidate's answered questions, read once from the database for stats and export.

Both kinds of practice count: interview turns and answers given in study-group sessions. A study
answer becomes a `CompletedTurn` of kind `study` (its "session" is the study run), so stats, the
chart and the export treat the two alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import InterviewSession, StudyAnswer, StudyRun, Turn
from bot.storage.vocabulary import SessionStatus, TurnPhase

COMPLETED_PHASES = ("done", "skipped")
INTERVIEW = "interview"
STUDY = "study"
#: A study answer keeps only each key point's status; the coverage figure stats use for it.
STATUS_COVERAGE = {"covered": 1.0, "partial": 0.5, "missing": 0.0, "contradicted": 0.0}


@dataclass(frozen=True)
class CompletedTurn:
    """One question a candidate finished: answered (`done`) or `skipped`."""

    session_id: int
    session_started_at: datetime
    question_id: str
    phase: str
    score: float | None
    max_score: float
    hints_used: int
    answer: str | None
    follow_up_answers: tuple[str, ...]
    coverage: dict[str, Any]  # key point id -> {"status": …, "coverage": 0-1}
    completed_at: datetime
    kind: str = INTERVIEW  # interview | study (then `session_id` is the study run's id)

    @property
    def answered(self) -> bool:
        return self.phase == TurnPhase.DONE and self.score is not None


@dataclass(frozen=True)
class History:
    session_count: int  # interviews
    finished_session_count: int
    turns: tuple[CompletedTurn, ...]  # interview turns and study answers, oldest first
    study_session_count: int = 0  # study sessions the candidate answered in


async def load_history(db: AsyncSession, user_id: int) -> History:
    sessions = list(await db.scalars(select(InterviewSession).where(InterviewSession.user_id == user_id)))
    started = {s.id: s.started_at for s in sessions}
    rows = await db.scalars(
        select(Turn).join(InterviewSession)
        .where(InterviewSession.user_id == user_id, Turn.phase.in_(COMPLETED_PHASES))
        .order_by(Turn.completed_at, Turn.id)
    )
    turns = [
        CompletedTurn(
            session_id=t.session_id, session_started_at=started[t.session_id], question_id=t.question_id,
            phase=t.phase, score=t.score, max_score=t.max_score, hints_used=t.hints_used, answer=t.answer,
            follow_up_answers=tuple(str(e.get("text", "")) for e in (t.exchanges or [])
                                    if e.get("kind") == "follow_up_answer"),
            coverage=dict(t.coverage or {}), completed_at=t.completed_at or t.asked_at,
        )
        for t in rows
    ]
    studied = await load_study_answers(db, user_id)
    merged = sorted([*turns, *studied], key=lambda t: t.completed_at)  # stable: ties keep their order
    return History(session_count=len(sessions),
                   finished_session_count=sum(1 for s in sessions if s.status == SessionStatus.FINISHED),
                   turns=tuple(merged), study_session_count=len({t.session_id for t in studied}))


async def load_study_answers(db: AsyncSession, user_id: int) -> list[CompletedTurn]:
    """The candidate's study-session answers as completed turns (each was graded when given)."""
    rows = await db.execute(
        select(StudyAnswer, StudyRun.started_at, StudyRun.created_at).join(StudyRun)
        .where(StudyAnswer.user_id == user_id).order_by(StudyAnswer.created_at, StudyAnswer.id))
    return [
        CompletedTurn(
            session_id=a.run_id, session_started_at=run_started or run_created, question_id=a.question_id,
            phase=TurnPhase.DONE, score=a.score, max_score=5.0, hints_used=0, answer=a.answer, follow_up_answers=(),
            coverage={kp: {"status": status, "coverage": STATUS_COVERAGE.get(str(status), 0.0)}
                      for kp, status in (a.coverage or {}).items()},
            completed_at=a.created_at, kind=STUDY,
        )
        for a, run_started, run_created in rows
    ]
