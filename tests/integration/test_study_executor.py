"""The due-run executor on a real migrated SQLite file: each occurrence runs exactly once, even across
restarts around its due time and with two bot processes; missed occurrences start late or are skipped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.interview.engine import Participant
from bot.scheduling.clock import ManualClock
from bot.scheduling.errors import StudyError
from bot.scheduling.executor import DueRunExecutor
from bot.scheduling.guild_settings import update_defaults
from bot.scheduling.schedules import cancel_schedule, create_schedule, list_schedules
from bot.scheduling.study_run import StudyEngine
from bot.storage.database import create_engine, make_sessionmaker
from bot.storage.models import StudyOccurrence, StudyRun, StudySchedule, User

pytestmark = pytest.mark.both_databases  # each test runs on SQLite and on PostgreSQL

GUILD, CHANNEL = "900", "901"
CREATED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
DUE = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # "mon,thu 18:00" in Berlin (UTC+1)
WINDOW_S = 600


class BotProcess:
    """What one bot process holds: its own connection pool, engine and executor, on the shared file."""

    def __init__(self, db_url: str, bank: Any, grader: Any, clock: ManualClock) -> None:
        self.db_engine = create_engine(db_url)
        self.sessions = make_sessionmaker(self.db_engine)
        self.engine = StudyEngine(bank, grader, self.sessions, clock=clock)
        self.executor = DueRunExecutor(self.sessions, self.engine)

    async def close(self) -> None:
        await self.db_engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(CREATED)


@pytest.fixture
async def processes(db_url: str, test_bank: Any, grader: Any, clock: ManualClock) -> AsyncIterator[Any]:
    started: list[BotProcess] = []

    def start() -> BotProcess:
        process = BotProcess(db_url, test_bank, grader, clock)
        started.append(process)
        return process

    yield start
    for process in started:
        await process.close()


async def schedule_mon_thu(process: BotProcess, clock: ManualClock, **options: Any) -> int:
    view = await create_schedule(process.sessions, guild_id=GUILD, channel_id=CHANNEL,
                                 creator=Participant("discord", "42", "Manager"), when="mon,thu 18:00",
                                 timezone="Europe/Berlin", now=clock.now(), answer_window_s=WINDOW_S, **options)
    assert view.next_run_at == DUE
    return view.id


async def counts(process: BotProcess) -> tuple[int, int]:
    async with process.sessions() as db:
        occurrences = await db.scalar(select(func.count(StudyOccurrence.id)))
        runs = await db.scalar(select(func.count(StudyRun.id)))
    return int(occurrences or 0), int(runs or 0)


async def test_restarts_around_the_due_time_run_the_occurrence_exactly_once(processes: Any, clock: ManualClock):
    first = processes()
    schedule_id = await schedule_mon_thu(first, clock)

    clock.set(DUE - timedelta(seconds=1))  # just before: nothing is due
    assert await first.executor.claim_due() == []
    assert await first.executor.next_wakeup() == DUE
    await first.close()  # the bot goes down a second before the due time…

    clock.set(DUE + timedelta(seconds=2))  # …and is back two seconds after it
    second = processes()
    (claim,) = await second.executor.claim_due()
    assert claim.status == "started" and claim.run_id is not None and claim.note is None
    assert [p.run_id for p in await second.engine.pending_runs()] == [claim.run_id]
    await second.close()  # a crash right after claiming, before the thread was opened

    third = processes()  # the second restart: nothing is claimed again, the pending run is still there
    assert await third.executor.claim_due() == []
    assert [p.run_id for p in await third.engine.pending_runs()] == [claim.run_id]
    assert await counts(third) == (1, 1)
    async with third.sessions() as db:
        schedule = await db.get(StudySchedule, schedule_id)
        assert schedule is not None and schedule.next_run_at == datetime(2026, 3, 5, 17, tzinfo=UTC)


async def test_two_processes_claiming_at_once_run_it_once(processes: Any, clock: ManualClock):
    a, b = processes(), processes()
    await schedule_mon_thu(a, clock)
    clock.set(DUE + timedelta(seconds=1))
    claims_a, claims_b = await asyncio.gather(a.executor.claim_due(), b.executor.claim_due())
    assert len(claims_a) + len(claims_b) == 1
    assert await counts(a) == (1, 1)


async def test_the_unique_occurrence_key_refuses_a_second_claim(processes: Any, clock: ManualClock):
    """Even a process that read the schedule before the other committed cannot insert the same time."""
    process = processes()
    schedule_id = await schedule_mon_thu(process, clock)
    async with process.sessions() as db:
        db.add(StudyOccurrence(schedule_id=schedule_id, occurrence_at=DUE, status="started"))
        await db.commit()
    clock.set(DUE + timedelta(seconds=1))
    assert await process.executor.claim_due() == []  # the insert hit the key and rolled back
    assert await counts(process) == (1, 0)


async def test_missed_within_the_window_starts_late_with_a_note(processes: Any, clock: ManualClock):
    process = processes()
    await schedule_mon_thu(process, clock)
    clock.set(DUE + timedelta(minutes=4))  # the window is 10 minutes
    (claim,) = await process.executor.claim_due()
    assert claim.status == "late" and claim.note and "4 minutes late" in claim.note
    (pending,) = await process.engine.pending_runs()
    assert pending.late_note == claim.note


async def test_missed_past_the_window_is_skipped_and_recorded(processes: Any, clock: ManualClock):
    process = processes()
    schedule_id = await schedule_mon_thu(process, clock)
    clock.set(DUE + timedelta(minutes=30))
    (claim,) = await process.executor.claim_due()
    assert claim.status == "skipped" and claim.run_id is None and "offline" in (claim.note or "")
    assert await process.engine.pending_runs() == []
    (entry,) = await process.engine.history(GUILD)
    assert entry.status == "skipped" and entry.when == DUE
    async with process.sessions() as db:
        schedule = await db.get(StudySchedule, schedule_id)
        assert schedule is not None and schedule.next_run_at == datetime(2026, 3, 5, 17, tzinfo=UTC)


async def test_a_long_outage_records_every_miss_and_starts_only_the_current_one(processes: Any, clock: ManualClock):
    process = processes()
    await schedule_mon_thu(process, clock)
    clock.set(datetime(2026, 3, 16, 17, 5, tzinfo=UTC))  # two weeks later, 5 minutes into a Monday session
    claims = await process.executor.claim_due()
    assert [c.status for c in claims] == ["skipped"] * 4 + ["late"]
    assert [c.occurrence_at.day for c in claims] == [2, 5, 9, 12, 16]
    assert await counts(process) == (5, 1)


async def test_guild_defaults_fill_what_the_schedule_leaves_open(processes: Any, clock: ManualClock, test_bank: Any):
    process = processes()
    await update_defaults(process.sessions, GUILD, topic="T07", question_count=1, mention_role_id="555")
    await schedule_mon_thu(process, clock)
    clock.set(DUE)
    (claim,) = await process.executor.claim_due()
    assert claim.status == "started"
    (pending,) = await process.engine.pending_runs()
    assert pending.question_count == 1 and pending.mention_role_id == "555"
    assert pending.answer_window_s == WINDOW_S  # the schedule's own window wins over the default
    assert pending.title.startswith("Study session — ") and "2026-03-02" in pending.title
    assert test_bank.topics["T07"].name in pending.title


async def test_cancelled_schedules_stop_and_forgetting_the_creator_keeps_the_schedule(
    processes: Any, clock: ManualClock
):
    process = processes()
    schedule_id = await schedule_mon_thu(process, clock)
    async with process.sessions() as db:  # what /forget-me does: the creator's user row goes
        user = await db.scalar(select(User).where(User.external_id == "42"))
        await db.delete(user)
        await db.commit()
    async with process.sessions() as db:
        schedule = await db.get(StudySchedule, schedule_id)
        assert schedule is not None and schedule.creator_id is None
    with pytest.raises(StudyError, match="no active schedule #"):
        await cancel_schedule(process.sessions, "another-guild", schedule_id, clock.now())
    await cancel_schedule(process.sessions, GUILD, schedule_id, clock.now())
    assert await list_schedules(process.sessions, GUILD) == []
    clock.set(DUE + timedelta(seconds=1))
    assert await process.executor.claim_due() == []
    assert await process.executor.next_wakeup() is None


async def test_two_timers_on_one_database_fire_the_occurrence_once(processes: Any, clock: ManualClock):
    """The real timer task in two bot processes: both wake at the due time, one occurrence runs."""
    from bot.scheduling.timer import WakeableTimer

    a, b = processes(), processes()
    await schedule_mon_thu(a, clock)
    fired: list[list[Any]] = [[], []]
    steps = [0, 0]  # timer steps taken by each process
    stepped = asyncio.Condition()

    def timer_for(index: int, process: BotProcess) -> WakeableTimer:
        async def on_due() -> None:
            fired[index].extend(await process.executor.claim_due())
            async with stepped:
                steps[index] += 1
                stepped.notify_all()

        return WakeableTimer(lambda: clock, process.executor.next_wakeup, on_due, max_sleep_s=0.2)

    async def until(predicate: Any) -> None:
        async with stepped:
            await asyncio.wait_for(stepped.wait_for(predicate), 10)

    timers = [timer_for(0, a), timer_for(1, b)]
    for timer in timers:
        timer.start()
    try:
        await until(lambda: min(steps) >= 1)
        assert fired == [[], []]  # both stepped: not due yet
        clock.set(DUE + timedelta(seconds=1))
        for timer in timers:
            timer.wake()
        await until(lambda: bool(fired[0] or fired[1]))
        seen = list(steps)
        await until(lambda: steps[0] > seen[0] and steps[1] > seen[1])  # both have stepped again since
    finally:
        for timer in timers:
            await timer.stop()
    assert len(fired[0]) + len(fired[1]) == 1
    assert await counts(a) == (1, 1)
