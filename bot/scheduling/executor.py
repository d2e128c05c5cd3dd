"""The due-run executor: turn schedules whose time has come into study runs, exactly once.

Each due time is claimed by inserting a `study_occurrences` row whose (schedule, time) pair is
unique, in the same transaction that moves the schedule's `next_run_at` on and adds the pending run.
A restart (the claim is already committed, so the schedule is no longer due) or a second bot process
(PostgreSQL: it skips the row another process has locked with FOR UPDATE SKIP LOCKED; any database: its
insert hits the unique key and rolls back) therefore never runs an occurrence twice.

An occurrence missed while the bot was down starts late, with a note, while its answer window is
still open; otherwise it is recorded as skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduling.clock import Clock
from bot.scheduling.errors import StudyError
from bot.scheduling.guild_settings import defaults_in
from bot.scheduling.recurrence import Recurrence
from bot.scheduling.schedules import recurrence_of
from bot.scheduling.study_run import RunOptions, StudyEngine
from bot.storage.models import StudyOccurrence, StudySchedule
from bot.storage.vocabulary import OccurrenceStatus, ScheduleStatus

log = logging.getLogger(__name__)

#: Later than this after its due time, a run says it started late.
LATE_AFTER = timedelta(seconds=60)
#: Missed occurrences recorded one by one after a long outage (older ones are only counted).
MAX_RECORDED_MISSES = 20


@dataclass(frozen=True)
class Claim:
    schedule_id: int
    occurrence_at: datetime
    status: str  # started | late | skipped
    run_id: int | None
    note: str | None


def _minutes(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _due_times(recurrence: Recurrence, first: datetime, now: datetime) -> list[datetime]:
    """Due times from `first` up to `now`: the first few one by one, and always the latest."""
    times: list[datetime] = []
    cursor: datetime | None = first
    for _ in range(100_000):  # bounded: an hourly rule over ten years of downtime
        if cursor is None or cursor > now:
            break
        if len(times) >= MAX_RECORDED_MISSES:
            times[-1] = cursor
        else:
            times.append(cursor)
        cursor = recurrence.next_after(cursor)
    return times


class DueRunExecutor:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], engine: StudyEngine) -> None:
        self.sessions = sessions
        self.engine = engine

    @property
    def clock(self) -> Clock:
        return self.engine.clock

    async def next_wakeup(self) -> datetime | None:
        """The earliest of: a schedule's next run, an open question's deadline."""
        async with self.sessions() as db:
            schedule_due = await db.scalar(select(func.min(StudySchedule.next_run_at))
                                           .where(StudySchedule.status == ScheduleStatus.ACTIVE))
        deadline = await self.engine.next_deadline()
        times = [t for t in (schedule_due, deadline) if t is not None]
        return min(times) if times else None

    async def claim_due(self, guild_ids: Collection[str] | None = None) -> list[Claim]:
        """Claim every due occurrence (of `guild_ids` only, if given: this process's shards);
        started ones come with a pending run to open."""
        now = self.clock.now()
        query = select(StudySchedule.id).where(StudySchedule.status == ScheduleStatus.ACTIVE, StudySchedule.next_run_at <= now)
        if guild_ids is not None:
            query = query.where(StudySchedule.guild_id.in_(list(guild_ids)))
        async with self.sessions() as db:
            due = list(await db.scalars(query))
        claims: list[Claim] = []
        for schedule_id in due:
            claims += await self._claim(schedule_id, now)
        return claims

    async def _claim(self, schedule_id: int, now: datetime) -> list[Claim]:
        async with self.sessions() as db:
            # PostgreSQL: lock the schedule row, skipping it if another process holds it (that process is
            # claiming it now). SQLite ignores the clause; its BEGIN IMMEDIATE serialises claims instead.
            # Either way the unique (schedule, time) key is the last line of defence.
            schedule = await db.get(StudySchedule, schedule_id, with_for_update={"skip_locked": True})
            if schedule is None or schedule.status != ScheduleStatus.ACTIVE or schedule.next_run_at is None \
                    or schedule.next_run_at > now:
                return []  # claimed meanwhile (or being claimed now) by another process
            recurrence = recurrence_of(schedule)
            missed = _due_times(recurrence, schedule.next_run_at, now)
            defaults = await defaults_in(db, schedule.guild_id)
            window = timedelta(seconds=schedule.answer_window_s or defaults.answer_window_s)
            try:
                claims = await self._record(db, schedule, missed, now, window)
                following = recurrence.next_after(now)
                schedule.next_run_at = following
                if following is None:
                    schedule.status = ScheduleStatus.FINISHED
                await db.commit()
            except IntegrityError:  # another process claimed the same occurrence first
                await db.rollback()
                log.info("schedule %s: occurrence already claimed elsewhere", schedule_id)
                return []
        return claims

    async def _record(self, db: AsyncSession, schedule: StudySchedule, missed: list[datetime], now: datetime,
                      window: timedelta) -> list[Claim]:
        claims: list[Claim] = []
        for when in missed[:-1]:
            note = "missed: the bot was offline"
            db.add(StudyOccurrence(schedule_id=schedule.id, occurrence_at=when, status=OccurrenceStatus.SKIPPED, note=note,
                                   claimed_at=now))
            claims.append(Claim(schedule.id, when, "skipped", None, note))
        claims.append(await self._start_or_skip(db, schedule, missed[-1], now, window))
        return claims

    async def _start_or_skip(self, db: AsyncSession, schedule: StudySchedule, when: datetime, now: datetime,
                             window: timedelta) -> Claim:
        lateness = now - when
        if lateness >= window:
            note = f"missed: the bot was offline until {_minutes(lateness)} after the start"
            db.add(StudyOccurrence(schedule_id=schedule.id, occurrence_at=when, status=OccurrenceStatus.SKIPPED, note=note,
                                   claimed_at=now))
            return Claim(schedule.id, when, "skipped", None, note)
        late = lateness > LATE_AFTER
        note = f"Started {_minutes(lateness)} late: the bot was offline at the scheduled time." if late else None
        occurrence = StudyOccurrence(schedule_id=schedule.id, occurrence_at=when,
                                     status=OccurrenceStatus.LATE if late else OccurrenceStatus.STARTED, note=note, claimed_at=now)
        db.add(occurrence)
        await db.flush()  # the unique (schedule, time) key is checked here
        options = RunOptions(topic=schedule.topic, difficulty=schedule.difficulty,
                             question_count=schedule.question_count, answer_window_s=schedule.answer_window_s)
        try:
            run = await self.engine.new_run(db, guild_id=schedule.guild_id, channel_id=schedule.channel_id,
                                            options=options, when=recurrence_of(schedule).local(when),
                                            late_note=note)
        except StudyError as error:
            occurrence.status, occurrence.note = "skipped", str(error)[:200]
            return Claim(schedule.id, when, "skipped", None, occurrence.note)
        run.occurrence_id = occurrence.id
        return Claim(schedule.id, when, occurrence.status, run.id, note)
