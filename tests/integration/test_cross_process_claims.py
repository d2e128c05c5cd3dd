"""Exactly-once steps with real OS processes racing on one database (SQLite file and PostgreSQL).

Each process is `python -m tests.support.race_process` with its own connection pool; all of them are
released at the same moment, so their transactions overlap. Row claims (PostgreSQL: FOR UPDATE SKIP
LOCKED, conditional UPDATE ... WHERE; SQLite: BEGIN IMMEDIATE) must make every step happen once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.interview.engine import InterviewEngine, InterviewOptions, Participant
from bot.scheduling.clock import ManualClock
from bot.scheduling.schedules import create_schedule
from bot.scheduling.study_run import RunOptions, StudyEngine
from bot.storage.models import InterviewSession, StudyOccurrence, StudyRun, Turn
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.both_databases, pytest.mark.slow]

PROCESSES = 3
CREATED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday
DUE = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # "mon,thu 18:00" in Berlin


def race(db_url: str, *args: str, processes: int = PROCESSES) -> list[dict[str, Any]]:
    """Start `processes` race processes, wait until all are connected, release them together."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.support.race_process", db_url, *args],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=REPO_ROOT, env=env) for _ in range(processes)]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.strip() == "ready", f"race process did not start: {line!r} {proc.stderr.read()!r}"
        for proc in procs:  # release them back to back
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()


async def test_due_schedules_are_claimed_once_across_processes(sessions: Any, db_url: str) -> None:
    schedule_ids = []
    for guild in range(6):
        view = await create_schedule(sessions, guild_id=str(900 + guild), channel_id="901",
                                     creator=Participant("discord", "42", "Manager"), when="mon,thu 18:00",
                                     timezone="Europe/Berlin", now=CREATED, answer_window_s=600)
        schedule_ids.append(view.id)

    results = race(db_url, "claim", (DUE + timedelta(seconds=5)).isoformat())

    claimed = sorted(claim[0] for result in results for claim in result["claims"])
    assert claimed == sorted(schedule_ids)  # each schedule once, by whichever process got it
    async with sessions() as db:
        assert await db.scalar(select(func.count(StudyOccurrence.id))) == len(schedule_ids)
        assert await db.scalar(select(func.count(StudyRun.id))) == len(schedule_ids)


async def test_a_closing_question_is_revealed_once_across_processes(sessions: Any, db_url: str, test_bank: Any,
                                                                    grader: Any) -> None:
    start = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
    study = StudyEngine(test_bank, grader, sessions, clock=ManualClock(start))
    run_ids = []
    for channel in range(4):
        pending = await study.start_now(guild_id="1", channel_id=str(10 + channel),
                                        options=RunOptions(question_count=2, answer_window_s=60))
        assert await study.begin(pending.run_id, str(100 + channel)) is not None
        run_ids.append(pending.run_id)

    results = race(db_url, "close", (start + timedelta(seconds=61)).isoformat())

    closed = sorted(tuple(step) for result in results for step in result["closed"])
    assert closed == [(run_id, 0) for run_id in sorted(run_ids)]  # question 1 of each run, once
    async with sessions() as db:
        indexes = list(await db.scalars(select(StudyRun.current_index).order_by(StudyRun.id)))
    assert indexes == [1] * len(run_ids)


async def test_an_early_close_moves_each_deadline_once_across_processes(
        sessions: Any, db_url: str, test_bank: Any, grader: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every joined member has answered (the answering process stopped before its own check): processes
    sweeping at once bring each question's deadline forward exactly once."""
    start = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
    study = StudyEngine(test_bank, grader, sessions, clock=ManualClock(start))

    async def stopped(*_args: Any) -> None:
        return None

    monkeypatch.setattr(study, "close_early_if_all_answered", stopped)
    run_ids = []
    for channel in range(4):
        pending = await study.start_now(guild_id="1", channel_id=str(10 + channel),
                                        options=RunOptions(question_count=2, answer_window_s=600))
        step = await study.begin(pending.run_id, str(100 + channel))
        assert step is not None and step.question is not None
        member = Participant("discord", str(500 + channel), "Member")
        await study.join(pending.run_id, member)
        await study.answer(pending.run_id, 0, member, "An epoch is one complete pass over the training data.")
        run_ids.append(pending.run_id)

    results = race(db_url, "early", start.isoformat())

    assert sum(result["moved"] for result in results) == len(run_ids), results
    async with sessions() as db:
        deadlines = list(await db.scalars(select(StudyRun.question_deadline_at).order_by(StudyRun.id)))
    assert deadlines == [start + timedelta(seconds=5)] * len(run_ids)  # the default grace period


async def test_answers_racing_on_one_interview_are_all_kept(sessions: Any, db_url: str, test_bank: Any,
                                                             grader: Any) -> None:
    """Two processes apply an answer to the same interview at once: neither transition overwrites the
    other (PostgreSQL needs the session row lock for this; a lost update would drop one answer)."""
    interviews = InterviewEngine(test_bank, grader, sessions)
    reply = await interviews.start(Participant("terminal", "ada", "Ada"),
                                   InterviewOptions(topic="T07", questions=2, persona="tester"))
    text = "An epoch is one complete pass over all of the training data."

    results = race(db_url, "answer", str(reply.session_id), text, processes=2)

    answered = sum(1 for result in results if result.get("answered"))
    async with sessions() as db:
        session = await db.get(InterviewSession, reply.session_id)
        assert session is not None
        turns = list(await db.scalars(select(Turn).where(Turn.session_id == session.id).order_by(Turn.position)))
    recorded = sum(1 for turn in turns for exchange in turn.exchanges if exchange.get("text") == text)
    assert answered >= 1
    assert recorded == answered, results
