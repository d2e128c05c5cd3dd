"""Study answers are practice like interview answers, and a question closes once everyone has answered.

Through the real grader, the real study engine and a migrated database (SQLite file and PostgreSQL):
stats, the chart, review cards, the export and /forget-me see study answers; the early close moves a
question's deadline forward exactly once, never past its window, and survives a process stopping
between saving the last answer and moving the deadline.
"""

from __future__ import annotations

import asyncio
import csv
import io
import random
import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.interview.engine import Participant
from bot.progress.chart import render_progress_chart
from bot.progress.export import anki_guid
from bot.progress.review import load_cards
from bot.progress.service import export_for, forget, stats_for
from bot.progress.summary import render_markdown
from bot.scheduling.clock import ManualClock
from bot.scheduling.study_run import RunOptions, StudyEngine
from bot.storage.database import create_engine, make_sessionmaker
from bot.storage.models import StudyAnswer, StudyRun, User

pytestmark = pytest.mark.both_databases  # each test runs on SQLite and on PostgreSQL

START = datetime(2026, 5, 4, 18, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=5)
GRACE = timedelta(seconds=5)
#: A real attempt (graded, not a non-answer) that misses every key point of the test bank's questions.
WRONG_ANSWER = ("I think it is mostly about making the learning rate smaller so that the loss goes down "
                "more slowly over time.")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def study(test_bank: Any, grader: Any, sessions: Any, clock: ManualClock) -> StudyEngine:
    return StudyEngine(test_bank, grader, sessions, clock=clock, rng=random.Random(3), close_grace=GRACE)


def member(number: int) -> Participant:
    return Participant("discord", str(2000 + number), f"Member {number}")


async def begun_run(study: StudyEngine, questions: int, topic: str | None = None) -> tuple[int, list[str]]:
    pending = await study.start_now(guild_id="1", channel_id="2", options=RunOptions(
        topic=topic, question_count=questions, answer_window_s=int(WINDOW.total_seconds())))
    step = await study.begin(pending.run_id, "3")
    assert step is not None
    async with study.sessions() as db:
        run = await db.get(StudyRun, pending.run_id)
        assert run is not None
        return run.id, list(run.question_ids)


async def deadline(study: StudyEngine, run_id: int) -> datetime | None:
    async with study.sessions() as db:
        return await db.scalar(select(StudyRun.question_deadline_at).where(StudyRun.id == run_id))


async def weak_then_strong(study: StudyEngine, clock: ManualClock, test_bank: Any, who: Participant) -> tuple[str, str]:
    """`who` answers question 1 of a two-question run badly and question 2 well; the run finishes."""
    run_id, (weak, strong) = await begun_run(study, 2)
    await study.answer(run_id, 0, who, WRONG_ANSWER)
    clock.advance(WINDOW)
    assert await study.close_question(run_id, 0) is not None
    await study.answer(run_id, 1, who, test_bank.question(strong).reference_answer)
    clock.advance(WINDOW)
    final = await study.close_question(run_id, 1)
    assert final is not None and final.leaderboard is not None
    return weak, strong


# ---------------------------------------------------------------------------------------------------
# 1. Study answers count as practice


async def test_study_answers_show_in_stats_the_chart_and_the_text(study: StudyEngine, clock: ManualClock,
                                                                   test_bank: Any, sessions: Any):
    who = member(1)
    weak, strong = await weak_then_strong(study, clock, test_bank, who)

    stats = await stats_for(sessions, test_bank, who.platform, who.external_id, now=clock.now())
    assert stats.has_practice and stats.sessions == 0 and stats.study_sessions == 1
    assert stats.questions_answered == 2 and stats.questions_skipped == 0 and stats.average_score is not None
    mastery = {t.topic_id: t.mastery for t in stats.topics}
    assert set(mastery) == {test_bank.question(q).topic for q in (weak, strong)}
    if test_bank.question(weak).topic != test_bank.question(strong).topic:
        assert mastery[test_bank.question(weak).topic] < mastery[test_bank.question(strong).topic]
    assert [(p.kind, len(stats.timeline)) for p in stats.timeline] == [("study", 1)]
    assert stats.weakest_points and stats.weakest_points[0].question_id == weak

    text = render_markdown(stats)
    assert "no practice yet" not in text and "Sessions: 1 study session" in text
    assert "Questions answered: 2 (skipped 0)" in text and "Mastery by topic" in text
    png = render_progress_chart(stats)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


async def test_a_weak_study_answer_makes_its_question_due_again(study: StudyEngine, clock: ManualClock,
                                                                test_bank: Any, sessions: Any):
    who = member(2)
    weak, strong = await weak_then_strong(study, clock, test_bank, who)
    async with sessions() as db:
        user_id = await db.scalar(select(User.id).where(User.external_id == who.external_id))
        assert user_id is not None
        cards = await load_cards(db, user_id)
    assert set(cards) == {weak, strong}, "each study answer is a review"
    assert cards[weak].last_score is not None and cards[strong].last_score is not None
    assert cards[weak].last_score < cards[strong].last_score
    assert cards[weak].due <= START + WINDOW + timedelta(minutes=10), "the weak one is due by the next session"
    assert cards[strong].due > cards[weak].due + timedelta(days=1)
    stats = await stats_for(sessions, test_bank, who.platform, who.external_id,
                            now=cards[weak].due + timedelta(minutes=1))
    assert stats.reviews_due == 1


async def test_study_answers_are_in_the_csv_and_the_anki_deck(study: StudyEngine, clock: ManualClock,
                                                             test_bank: Any, sessions: Any):
    who = member(3)
    weak, strong = await weak_then_strong(study, clock, test_bank, who)
    bundle = await export_for(sessions, test_bank, who.platform, who.external_id)
    assert bundle.answers == 2 and bundle.study_answers == 2
    rows = list(csv.DictReader(io.StringIO(bundle.csv_text)))
    assert [(r["practice"], r["question_id"], r["outcome"]) for r in rows] == [
        ("study", weak, "answered"), ("study", strong, "answered")]
    assert rows[0]["answer"] == WRONG_ANSWER and float(rows[0]["score"]) < float(rows[1]["score"])
    assert [w.question_id for w in bundle.weak_questions] == [weak]
    assert bundle.apkg is not None
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(io.BytesIO(bundle.apkg)) as deck:
        path = Path(folder) / "collection.anki2"
        path.write_bytes(deck.read("collection.anki2"))
        with sqlite3.connect(path) as collection:
            guids = {guid for (guid,) in collection.execute("SELECT guid FROM notes")}
    assert guids == {anki_guid(weak)}


async def test_forget_me_deletes_study_answers_and_says_so(study: StudyEngine, clock: ManualClock,
                                                           test_bank: Any, sessions: Any):
    who, other = member(4), member(5)
    run_id, _ = await begun_run(study, 2)
    await study.join(run_id, who)
    await study.answer(run_id, 0, who, WRONG_ANSWER)
    await study.answer(run_id, 0, other, WRONG_ANSWER)

    summary = await forget(sessions, who.platform, who.external_id)

    assert summary.deleted["study_answers"] == 1 and summary.deleted["study_members"] == 1
    assert summary.deleted["review_cards"] == 1
    text = summary.describe()
    assert text == ("Done. I deleted your profile and all your data: 1 study-session answer, "
                    "1 study-session sign-up and 1 review-schedule entry.")
    async with sessions() as db:
        left = list(await db.scalars(select(StudyAnswer.user_id).where(StudyAnswer.run_id == run_id)))
        other_id = await db.scalar(select(User.id).where(User.external_id == other.external_id))
    assert left == [other_id], "the other member's answer stays"


# ---------------------------------------------------------------------------------------------------
# 2. Closing a question early


async def test_question_one_closes_early_once_everyone_who_joined_has_answered(
        study: StudyEngine, clock: ManualClock, test_bank: Any):
    run_id, (first, _second) = await begun_run(study, 2)
    reference = test_bank.question(first).reference_answer
    assert (await study.join(run_id, member(1))).joined
    joined = await study.join(run_id, member(2))
    assert joined.joined and joined.members == 2
    again = await study.join(run_id, member(2))
    assert not again.joined and again.members == 2

    feedback = await study.answer(run_id, 0, member(1), reference)
    assert feedback.closes_at is None and await deadline(study, run_id) == START + WINDOW, "member 2 is awaited"
    clock.advance(timedelta(seconds=30))
    feedback = await study.answer(run_id, 0, member(2), reference)
    expected = START + timedelta(seconds=30) + GRACE
    assert feedback.closes_at == expected and await deadline(study, run_id) == expected

    # During the grace period a latecomer may still answer; then the question is due, long before its window.
    clock.advance(GRACE / 2)
    assert await study.due_questions() == []
    late = await study.answer(run_id, 0, member(3), reference)
    assert late.closes_at is None, "an answer in the grace period does not push the deadline"
    clock.advance(GRACE / 2)
    assert await study.due_questions() == [(run_id, 0)]
    step = await study.close_question(run_id, 0)
    assert step is not None and step.reveal is not None and step.reveal.answers == 3
    assert step.question is not None and step.question.deadline_at == clock.now() + WINDOW, "a full window again"


async def test_without_joins_the_previous_questions_answerers_are_awaited(study: StudyEngine, clock: ManualClock,
                                                                          test_bank: Any):
    run_id, (first, second, _third) = await begun_run(study, 3)
    await study.answer(run_id, 0, member(1), test_bank.question(first).reference_answer)
    await study.answer(run_id, 0, member(2), WRONG_ANSWER)
    assert await deadline(study, run_id) == START + WINDOW, "question 1: nobody joined, the window decides"
    clock.advance(WINDOW)
    await study.close_question(run_id, 0)

    opened = clock.now()
    await study.answer(run_id, 1, member(2), WRONG_ANSWER)
    assert await deadline(study, run_id) == opened + WINDOW, "member 1 answered question 1: awaited"
    feedback = await study.answer(run_id, 1, member(1), test_bank.question(second).reference_answer)
    assert feedback.closes_at == opened + GRACE

    clock.advance(GRACE)
    await study.close_question(run_id, 1)
    # Question 3: only member 1 answers; member 2 (who answered question 2) is awaited until the window ends.
    opened = clock.now()
    await study.answer(run_id, 2, member(1), WRONG_ANSWER)
    assert await deadline(study, run_id) == opened + WINDOW
    clock.advance(WINDOW - timedelta(seconds=1))
    assert await study.due_questions() == [] and await study.close_early_where_all_answered() == 0
    clock.advance(timedelta(seconds=1))
    assert await study.due_questions() == [(run_id, 2)], "the window stays the upper bound"


async def test_the_grace_period_never_extends_a_window(study: StudyEngine, clock: ManualClock, test_bank: Any):
    run_id, (first,) = await begun_run(study, 1)
    await study.join(run_id, member(1))
    clock.advance(WINDOW - timedelta(seconds=2))  # 2 s left: less than the grace period
    feedback = await study.answer(run_id, 0, member(1), test_bank.question(first).reference_answer)
    assert feedback.closes_at is None and await deadline(study, run_id) == START + WINDOW


async def test_many_members_answering_at_once_move_the_deadline_once(study: StudyEngine, clock: ManualClock,
                                                                     test_bank: Any):
    run_id, (first, _) = await begun_run(study, 2)
    members = [member(n) for n in range(12)]
    for who in members:
        await study.join(run_id, who)
    reference = test_bank.question(first).reference_answer
    feedback = await asyncio.gather(*(study.answer(run_id, 0, who, reference) for who in members))
    moved = [f.closes_at for f in feedback if f.closes_at is not None]
    assert moved == [START + GRACE], "exactly one answer (the last to commit) closes the question"
    clock.advance(GRACE)
    steps = await asyncio.gather(study.close_question(run_id, 0), study.close_question(run_id, 0))
    assert len([s for s in steps if s is not None]) == 1, "revealed once"


async def test_a_restart_between_the_last_answer_and_the_early_close_still_closes_it(
        study: StudyEngine, clock: ManualClock, test_bank: Any, db_url: str, grader: Any,
        monkeypatch: pytest.MonkeyPatch):
    run_id, (first, _) = await begun_run(study, 2)
    await study.join(run_id, member(1))
    await study.join(run_id, member(2))
    reference = test_bank.question(first).reference_answer
    await study.answer(run_id, 0, member(1), reference)

    async def stopped(*_args: Any) -> None:  # the process stops right after committing the answer
        return None

    monkeypatch.setattr(study, "close_early_if_all_answered", stopped)
    assert (await study.answer(run_id, 0, member(2), reference)).closes_at is None
    assert await deadline(study, run_id) == START + WINDOW

    # Two fresh processes (their own engines and connection pools) sweep at once after the restart.
    engines = [create_engine(db_url) for _ in range(2)]
    try:
        processes = [StudyEngine(test_bank, grader, make_sessionmaker(e), clock=clock, close_grace=GRACE)
                     for e in engines]
        moved = await asyncio.gather(*(p.close_early_where_all_answered() for p in processes))
        assert sum(moved) == 1, "one process moves the deadline; the other finds it already moved"
        assert await deadline(study, run_id) == START + GRACE
        clock.advance(GRACE)
        assert await processes[0].due_questions() == [(run_id, 0)]
        steps = await asyncio.gather(*(p.close_question(run_id, 0) for p in processes))
        assert len([s for s in steps if s is not None]) == 1
    finally:
        for engine in engines:
            await engine.dispose()
