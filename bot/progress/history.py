"""A candidate's answered questions, read once from the database for stats and export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import InterviewSession, Turn, User

COMPLETED_PHASES = ("done", "skipped")


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
    coverage: dict[str, Any]
    completed_at: datetime

    @property
    def answered(self) -> bool:
        return self.phase == "done" and self.score is not None


@dataclass(frozen=True)
class History:
    session_count: int
    finished_session_count: int
    turns: tuple[CompletedTurn, ...]  # oldest first


async def find_user(db: AsyncSession, platform: str, external_id: str) -> User | None:
    return await db.scalar(select(User).where(User.platform == platform, User.external_id == external_id))


async def load_history(db: AsyncSession, user_id: int) -> History:
    sessions = list(await db.scalars(select(InterviewSession).where(InterviewSession.user_id == user_id)))
    started = {s.id: s.started_at for s in sessions}
    rows = await db.scalars(
        select(Turn).join(InterviewSession)
        .where(InterviewSession.user_id == user_id, Turn.phase.in_(COMPLETED_PHASES))
        .order_by(Turn.completed_at, Turn.id)
    )
    turns = tuple(
        CompletedTurn(
            session_id=t.session_id, session_started_at=started[t.session_id], question_id=t.question_id,
            phase=t.phase, score=t.score, max_score=t.max_score, hints_used=t.hints_used, answer=t.answer,
            follow_up_answers=tuple(str(e.get("text", "")) for e in (t.exchanges or [])
                                    if e.get("kind") == "follow_up_answer"),
            coverage=dict(t.coverage or {}), completed_at=t.completed_at or t.asked_at,
        )
        for t in rows
    )
    return History(session_count=len(sessions),
                   finished_session_count=sum(1 for s in sessions if s.status == "finished"),
                   turns=turns)
