"""A study run through the real grader and a migrated SQLite file: one answer per member and question,
answer windows, reveals that happen once, and the leaderboard for nobody, one member or thirty."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.interview.engine import Participant
from bot.scheduling.clock import ManualClock
from bot.scheduling.errors import StudyError
from bot.scheduling.study_run import RunOptions, StudyEngine

pytestmark = pytest.mark.both_databases  # each test runs on SQLite and on PostgreSQL

START = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def study(test_bank: Any, grader: Any, sessions: Any, clock: ManualClock) -> StudyEngine:
    return StudyEngine(test_bank, grader, sessions, clock=clock, rng=random.Random(3))


def member(number: int) -> Participant:
    return Participant("discord", str(1000 + number), f"Member {number}")


async def begun_run(study: StudyEngine, questions: int, topic: str | None = "T07") -> Any:
    pending = await study.start_now(guild_id="1", channel_id="2", options=RunOptions(
        topic=topic, question_count=questions, answer_window_s=int(WINDOW.total_seconds())))
    step = await study.begin(pending.run_id, "3")
    assert step is not None and step.question is not None
    return step


async def test_each_member_answers_each_question_once_within_the_window(study: StudyEngine, clock: ManualClock,
                                                                          test_bank: Any):
    step = await begun_run(study, 1)
    question = test_bank.question("T07-001")
    assert step.question.prompt == question.prompt and step.question.deadline_at == START + WINDOW

    feedback = await study.answer(step.run_id, 0, member(1), question.reference_answer)
    assert feedback.number == 1 and feedback.score >= 3.5
    assert [point for point, _ in feedback.key_points] == [kp.point for kp in question.key_points]
    with pytest.raises(StudyError, match="already answered question 1"):
        await study.answer(step.run_id, 0, member(1), "a second try")

    assert await study.is_open(step.run_id, 0, member(1)) == "You already answered question 1."
    assert await study.is_open(step.run_id, 0, member(2)) is None

    clock.advance(WINDOW)
    assert await study.is_open(step.run_id, 0) is not None
    with pytest.raises(StudyError, match="window for question 1 has closed"):
        await study.answer(step.run_id, 0, member(2), question.reference_answer)

    final = await study.close_question(step.run_id, 0)  # a session of one
    assert final is not None and final.leaderboard is not None
    (standing,) = final.leaderboard.standings
    assert standing.display_name == "Member 1" and standing.answers_given == 1 and standing.rank == 1


async def test_a_question_is_revealed_once_and_the_next_one_opens(study: StudyEngine, clock: ManualClock,
                                                                   test_bank: Any, db_url: str):
    step = await begun_run(study, 2, topic=None)
    first = next(q for q in test_bank.questions.values() if q.prompt == step.question.prompt)
    await study.answer(step.run_id, 0, member(1), first.reference_answer)
    assert await study.due_questions() == []
    clock.advance(WINDOW)
    assert await study.due_questions() == [(step.run_id, 0)]
    assert await study.next_deadline() == START + WINDOW

    closed, again = await asyncio.gather(study.close_question(step.run_id, 0), study.close_question(step.run_id, 0))
    steps = [s for s in (closed, again) if s is not None]
    assert len(steps) == 1, "two timers racing reveal the question once"
    (step_two,) = steps
    assert step_two.reveal is not None and step_two.reveal.answers == 1 and step_two.reveal.number == 1
    assert step_two.question is not None and step_two.question.number == 2
    assert step_two.leaderboard is None
    with pytest.raises(StudyError, match="Question 1 is closed"):
        await study.answer(step.run_id, 0, member(2), "late")


async def test_nobody_answering_ends_with_an_empty_leaderboard(study: StudyEngine, clock: ManualClock):
    step = await begun_run(study, 1)
    clock.advance(WINDOW)
    final = await study.close_question(step.run_id, 0)
    assert final is not None and final.reveal is not None and final.reveal.answers == 0
    assert final.leaderboard is not None and final.leaderboard.standings == ()
    assert await study.due_questions() == [] and await study.next_deadline() is None
    (entry,) = await study.history("1")
    assert entry.status == "finished" and entry.participants == 0


async def test_thirty_members_answer_at_once(study: StudyEngine, clock: ManualClock, test_bank: Any):
    step = await begun_run(study, 1)
    question = test_bank.question("T07-001")
    answers = [question.reference_answer if n % 3 == 0 else question.key_point("kp1").point for n in range(30)]
    results = await asyncio.gather(*(study.answer(step.run_id, 0, member(n), text) for n, text in enumerate(answers)))
    assert len(results) == 30
    clock.advance(WINDOW)
    final = await study.close_question(step.run_id, 0)
    assert final is not None and final.leaderboard is not None
    board = final.leaderboard
    assert board.participants == 30 and all(s.answers_given == 1 for s in board.standings)
    full = {f"Member {n}" for n in range(30) if n % 3 == 0}
    assert {s.display_name for s in board.standings[:10]} == full, "full answers rank above partial ones"
    assert board.weakest and board.weakest[0].key_point != question.key_point("kp1").point


async def test_a_second_session_in_the_same_channel_is_refused_while_one_runs(study: StudyEngine):
    await begun_run(study, 1)
    with pytest.raises(StudyError, match="already running in this channel"):
        await study.start_now(guild_id="1", channel_id="2", options=RunOptions())


async def test_an_unknown_topic_is_a_clear_error(study: StudyEngine):
    with pytest.raises(StudyError, match="Unknown topic 'knitting'"):
        study.resolve_topic("knitting")
    assert study.resolve_topic("t7") == "T07"
