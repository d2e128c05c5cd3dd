"""SQLAlchemy 2 models: users, interview sessions and their turns.

Dialect-neutral on purpose (DESIGN.md §7): JSON columns, timezone-aware UTC datetimes and explicit
lengths on indexed strings, so the same models run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every dialect: SQLite keeps no offset, so read values are marked UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given: use timezone-aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class User(Base):
    """A candidate, identified per front end (`discord` user id, or `terminal` local user name)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "external_id", name="uq_users_platform_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[InterviewSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class InterviewSession(Base):
    """One mock interview. `question_ids` is the plan fixed at start; `current_index` points into it."""

    __tablename__ = "interview_sessions"
    __table_args__ = (Index("ix_interview_sessions_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    persona_id: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(8))
    difficulty: Mapped[str | None] = mapped_column(String(1))
    question_ids: Mapped[list[Any]] = mapped_column(JSON)
    current_index: Mapped[int] = mapped_column(Integer, default=0)
    #: active | finished | abandoned
    status: Mapped[str] = mapped_column(String(16), default="active")
    #: where the interview runs (a Discord thread or DM channel id), for front ends that need it
    channel_id: Mapped[str | None] = mapped_column(String(32))
    #: bumped on every transition; front ends may use it to ignore stale button presses
    version: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="sessions")
    turns: Mapped[list[Turn]] = relationship(
        back_populates="session", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Turn.position",
    )


class Turn(Base):
    """One question of a session and everything the candidate did with it.

    `phase`: asked (waiting for the first answer) -> follow_up (waiting for a follow-up answer) ->
    done | skipped. `exchanges` keeps every answer and follow-up in order, so nothing typed is lost;
    `coverage` is the merged per-key-point grade.
    """

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("session_id", "position", name="uq_turns_session_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("interview_sessions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(16))
    phase: Mapped[str] = mapped_column(String(16), default="asked")
    answer: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=5.0)
    coverage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    misconceptions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    follow_ups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    exchanges: Mapped[list[Any]] = mapped_column(JSON, default=list)
    hints_used: Mapped[int] = mapped_column(Integer, default=0)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    session: Mapped[InterviewSession] = relationship(back_populates="turns")
