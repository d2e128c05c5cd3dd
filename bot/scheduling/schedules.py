"""Create, list and cancel a server's study schedules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduling.errors import StudyError
from bot.scheduling.recurrence import Recurrence, parse_recurrence
from bot.storage.models import StudySchedule
from bot.storage.users import Participant, user_for
from bot.storage.vocabulary import ScheduleStatus

#: A server may not flood its channels with schedules.
MAX_ACTIVE_PER_GUILD = 25


@dataclass(frozen=True)
class ScheduleView:
    id: int
    channel_id: str
    when_text: str
    timezone: str
    next_run_at: datetime | None
    topic: str | None
    difficulty: str | None
    question_count: int | None
    answer_window_s: int | None
    status: str


def recurrence_of(schedule: StudySchedule) -> Recurrence:
    kind = "cron" if schedule.rule_kind == "cron" else "rrule"
    return Recurrence(kind, schedule.rule, schedule.timezone, schedule.anchor_at, schedule.when_text)


def view_of(schedule: StudySchedule) -> ScheduleView:
    return ScheduleView(schedule.id, schedule.channel_id, schedule.when_text, schedule.timezone,
                        schedule.next_run_at, schedule.topic, schedule.difficulty, schedule.question_count,
                        schedule.answer_window_s, schedule.status)


async def create_schedule(  # noqa: PLR0913 (the /study schedule options, keyword-only)
    sessions: async_sessionmaker[AsyncSession], *, guild_id: str, channel_id: str, creator: Participant | None,
    when: str, timezone: str, now: datetime, topic: str | None = None, difficulty: str | None = None,
    question_count: int | None = None, answer_window_s: int | None = None,
) -> ScheduleView:
    """Parse `when` in `timezone` (RecurrenceError on a bad one) and store the schedule, next run set."""
    recurrence = parse_recurrence(when, timezone, now=now)
    async with sessions() as db:
        active = await db.scalars(select(StudySchedule.id).where(StudySchedule.guild_id == guild_id,
                                                                 StudySchedule.status == ScheduleStatus.ACTIVE))
        if len(list(active)) >= MAX_ACTIVE_PER_GUILD:
            raise StudyError(f"This server already has {MAX_ACTIVE_PER_GUILD} schedules; cancel one first.")
        creator_id = (await user_for(db, creator)).id if creator is not None else None
        schedule = StudySchedule(
            guild_id=guild_id, channel_id=channel_id, creator_id=creator_id, when_text=when.strip()[:100],
            rule_kind=recurrence.kind, rule=recurrence.rule, timezone=recurrence.zone, anchor_at=recurrence.anchor,
            topic=topic, difficulty=difficulty, question_count=question_count, answer_window_s=answer_window_s,
            status=ScheduleStatus.ACTIVE, next_run_at=recurrence.next_after(now), created_at=now,
        )
        db.add(schedule)
        await db.commit()
        return view_of(schedule)


async def list_schedules(sessions: async_sessionmaker[AsyncSession], guild_id: str) -> list[ScheduleView]:
    async with sessions() as db:
        rows = await db.scalars(select(StudySchedule).where(StudySchedule.guild_id == guild_id,
                                                            StudySchedule.status == ScheduleStatus.ACTIVE)
                                .order_by(StudySchedule.next_run_at, StudySchedule.id))
        return [view_of(row) for row in rows]


async def cancel_schedule(sessions: async_sessionmaker[AsyncSession], guild_id: str, schedule_id: int,
                          now: datetime) -> ScheduleView:
    """Stop a schedule of this server (kept, with its history). StudyError if there is no such one."""
    async with sessions() as db:
        schedule = await db.get(StudySchedule, schedule_id)
        if schedule is None or schedule.guild_id != guild_id or schedule.status != ScheduleStatus.ACTIVE:
            raise StudyError(f"There is no active schedule #{schedule_id} in this server. See `/study list`.")
        schedule.status = ScheduleStatus.CANCELLED
        schedule.cancelled_at = now
        schedule.next_run_at = None
        await db.commit()
        return view_of(schedule)
