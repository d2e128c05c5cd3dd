"""SQLAlchemy 2 models: users; interviews and their turns; spaced-repetition cards; study groups (schedules,
their occurrences, runs, answers and members) and per-guild study settings. State names are the enums of
`bot/storage/vocabulary.py`.

Dialect-neutral on purpose (docs/architecture.md §7): JSON columns, timezone-aware UTC datetimes and explicit
lengths on indexed strings, so the same models run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot.storage.vocabulary import RunPhase, ScheduleStatus, SessionStatus, TurnPhase


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
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.ACTIVE)
    #: where the interview runs (a Discord thread or DM channel id), for front ends that need it
    channel_id: Mapped[str | None] = mapped_column(String(32))
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
    phase: Mapped[str] = mapped_column(String(16), default=TurnPhase.ASKED)
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


class ReviewCard(Base):
    """Spaced-repetition state of one question for one candidate (an FSRS card, bot/progress/).

    `fsrs_card` is the `fsrs.Card.to_dict()` record; `due` is copied out of it so "what is due for this
    user" is one indexed query on every dialect. `last_score` is the grader's 0-5 score that produced
    the latest rating.
    """

    __tablename__ = "review_cards"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_review_cards_user_question"),
        Index("ix_review_cards_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(16))
    fsrs_card: Mapped[dict[str, Any]] = mapped_column(JSON)
    due: Mapped[datetime]
    last_score: Mapped[float | None]
    last_rating: Mapped[int | None] = mapped_column(Integer)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    last_review: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# ---------------------------------------------------------------------------------------------------
# Study groups (bot/scheduling): schedules, their claimed occurrences, runs, answers, guild settings.


class StudySchedule(Base):
    """A recurring study session in a channel. `rule` is an RRULE line or a cron line (`rule_kind`),
    read on the wall clock of `timezone`; `next_run_at` (UTC) is what the timer task sleeps towards."""

    __tablename__ = "study_schedules"
    __table_args__ = (
        Index("ix_study_schedules_guild_status", "guild_id", "status"),
        Index("ix_study_schedules_status_next", "status", "next_run_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    #: who created it; cleared (not deleted) when that person asks to be forgotten
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    when_text: Mapped[str] = mapped_column(String(100))
    rule_kind: Mapped[str] = mapped_column(String(8))
    rule: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    anchor_at: Mapped[datetime]
    topic: Mapped[str | None] = mapped_column(String(8))
    difficulty: Mapped[str | None] = mapped_column(String(1))
    question_count: Mapped[int | None] = mapped_column(Integer)
    answer_window_s: Mapped[int | None] = mapped_column(Integer)
    #: finished: the rule has no further occurrence
    status: Mapped[str] = mapped_column(String(16), default=ScheduleStatus.ACTIVE)
    next_run_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    occurrences: Mapped[list[StudyOccurrence]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", passive_deletes=True
    )


class StudyOccurrence(Base):
    """One due time of a schedule, claimed exactly once: the unique (schedule, time) row is the
    idempotency key that keeps a restart or a second bot process from running it again."""

    __tablename__ = "study_occurrences"
    __table_args__ = (
        UniqueConstraint("schedule_id", "occurrence_at", name="uq_study_occurrences_schedule_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("study_schedules.id", ondelete="CASCADE"))
    occurrence_at: Mapped[datetime]
    #: started | late | skipped
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(200))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)

    schedule: Mapped[StudySchedule] = relationship(back_populates="occurrences")
    run: Mapped[StudyRun | None] = relationship(back_populates="occurrence")


class StudyRun(Base):
    """One study session in a thread. `phase`: pending (thread not open yet) -> asking (question
    `current_index` open until `question_deadline_at`) -> finished, or abandoned (its thread is gone).
    Every step is committed before the bot posts it, so any process can resume the run after a restart."""

    __tablename__ = "study_runs"
    __table_args__ = (Index("ix_study_runs_phase_deadline", "phase", "question_deadline_at"),
                      Index("ix_study_runs_guild", "guild_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int | None] = mapped_column(
        ForeignKey("study_occurrences.id", ondelete="SET NULL"), unique=True
    )
    guild_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_id: Mapped[str | None] = mapped_column(String(32))
    #: the thread's name, "Study session — topic — date"
    title: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str | None] = mapped_column(String(8))
    difficulty: Mapped[str | None] = mapped_column(String(1))
    question_ids: Mapped[list[Any]] = mapped_column(JSON)
    current_index: Mapped[int] = mapped_column(Integer, default=0)
    phase: Mapped[str] = mapped_column(String(16), default=RunPhase.PENDING)
    answer_window_s: Mapped[int] = mapped_column(Integer)
    question_deadline_at: Mapped[datetime | None]
    mention_role_id: Mapped[str | None] = mapped_column(String(32))
    #: shown with the run: why it started late (the bot was offline at the due time), or was abandoned
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    occurrence: Mapped[StudyOccurrence | None] = relationship(back_populates="run")
    answers: Mapped[list[StudyAnswer]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )
    members: Mapped[list[StudyMember]] = relationship(
        back_populates="run", cascade="all, delete-orphan", passive_deletes=True
    )


class StudyAnswer(Base):
    """A member's answer to one question of a run: one per member and question (unique)."""

    __tablename__ = "study_answers"
    __table_args__ = (
        UniqueConstraint("run_id", "position", "user_id", name="uq_study_answers_run_position_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("study_runs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(Text)
    score: Mapped[float]
    #: key point id -> status (covered / partial / missing / contradicted)
    coverage: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    run: Mapped[StudyRun] = relationship(back_populates="answers")


class StudyMember(Base):
    """A member who pressed Join in a run: a question closes early once every such member (and everyone
    who answered the previous question) has answered it. One row per member and run (unique)."""

    __tablename__ = "study_members"
    __table_args__ = (UniqueConstraint("run_id", "user_id", name="uq_study_members_run_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("study_runs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    run: Mapped[StudyRun] = relationship(back_populates="members")


class GuildStudySettings(Base):
    """A server's study defaults, changed by its managers. Unset values fall back to built-in ones."""

    __tablename__ = "guild_study_settings"

    guild_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    default_topic: Mapped[str | None] = mapped_column(String(8))
    answer_window_s: Mapped[int | None] = mapped_column(Integer)
    question_count: Mapped[int | None] = mapped_column(Integer)
    mention_role_id: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
