"""Spaced repetition through the real interview engine, grader and a migrated SQLite file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.interview.engine import InterviewEngine, InterviewOptions, Participant, Reply
from bot.progress.picking import pick_for_user
from bot.progress.service import export_for, stats_for
from bot.storage.models import InterviewSession, ReviewCard, User

pytestmark = pytest.mark.both_databases  # each test runs on SQLite and on PostgreSQL

ADA = Participant(platform="terminal", external_id="ada", display_name="Ada")
#: A real attempt (graded, not a non-answer) that misses every key point of the test bank's questions.
WRONG_ANSWER = ("I think it is mostly about making the learning rate smaller so that the loss goes down "
                "more slowly over time.")


async def weak_and_strong_interview(engine: InterviewEngine, test_bank) -> tuple[str, str]:
    """Two easy questions: the first answered wrongly (follow-ups skipped), the second perfectly."""
    reply = await engine.start(ADA, InterviewOptions(questions=2, difficulty="easy", persona="tester"))
    async with engine.sessions() as db:
        session = await db.get(InterviewSession, reply.session_id)
        assert session is not None
        first, second = session.question_ids
    reply = await engine.answer(reply.session_id, WRONG_ANSWER)
    if reply.question_number == 1:  # a follow-up: skip it, the weak main answer stands
        reply = await engine.skip(reply.session_id)
    assert reply.question_number == 2
    reply = await engine.answer(reply.session_id, test_bank.question(second).reference_answer)
    await finish_question(engine, reply)
    return first, second


async def finish_question(engine: InterviewEngine, reply: Reply) -> None:
    """Skip any follow-up, so the main answer's grade stands and the question completes."""
    number = reply.question_number
    while not reply.finished and reply.question_number == number:
        reply = await engine.skip(reply.session_id)


async def cards_by_question(sessions) -> dict[str, ReviewCard]:
    async with sessions() as db:
        return {c.question_id: c for c in await db.scalars(select(ReviewCard))}


async def test_weak_answer_brings_its_question_back_before_a_strong_one(engine: InterviewEngine, test_bank,
                                                                        sessions) -> None:
    weak, strong = await weak_and_strong_interview(engine, test_bank)
    cards = await cards_by_question(sessions)
    assert set(cards) == {weak, strong}, "each completed question got a review card"
    assert cards[weak].last_score < cards[strong].last_score
    assert cards[weak].last_rating < cards[strong].last_rating, "the grader's scores earn different ratings"
    assert cards[weak].due < cards[strong].due
    assert cards[weak].reps == cards[strong].reps == 1

    review = await engine.start(ADA, InterviewOptions(questions=1, difficulty="easy", persona="tester",
                                                      mode="review"))
    assert test_bank.question(weak).prompt in "\n".join(m.text for m in review.messages)

    async with sessions() as db:
        user_id = await db.scalar(select(User.id).where(User.external_id == "ada"))
        weak_due = cards[weak].due + timedelta(minutes=1)  # the weak one is due, the strong one not yet
        mixed = await pick_for_user(db, test_bank, user_id, 2, mode="mixed", now=weak_due)
        fresh = await pick_for_user(db, test_bank, user_id, 1, mode="new", now=weak_due)
    assert sorted(mixed) == sorted([weak, "T04-001"]), "the due weak question is mixed with the new one"
    assert fresh == ["T04-001"]


async def test_a_second_review_updates_the_same_card(engine: InterviewEngine, test_bank, sessions) -> None:
    reply = await engine.start(ADA, InterviewOptions(topic="T08", questions=1, persona="tester"))
    await engine.skip(reply.session_id)
    reply = await engine.start(ADA, InterviewOptions(topic="T08", questions=1, persona="tester", mode="review"))
    await finish_question(engine, await engine.answer(reply.session_id,
                                                      test_bank.question("T08-001").reference_answer))
    card = (await cards_by_question(sessions))["T08-001"]
    assert card.reps == 2 and card.last_score is not None and card.last_score > 0
    assert card.fsrs_card["last_review"] is not None


async def test_stats_and_export_reflect_the_interviews(engine: InterviewEngine, test_bank, sessions) -> None:
    weak, strong = await weak_and_strong_interview(engine, test_bank)
    stats = await stats_for(sessions, test_bank, "terminal", "ada")
    assert (stats.sessions, stats.finished_sessions, stats.questions_answered) == (1, 1, 2)
    assert stats.display_name == "Ada" and stats.average_score is not None
    topic_of = {test_bank.question(q).topic: q for q in (weak, strong)}
    mastery = {t.topic_id: t.mastery for t in stats.topics}
    assert mastery[test_bank.question(weak).topic] < mastery[test_bank.question(strong).topic]
    assert set(mastery) == set(topic_of)
    assert stats.weakest_points and stats.weakest_points[0].question_id == weak
    assert len(stats.timeline) == 1

    bundle = await export_for(sessions, test_bank, "terminal", "ada")
    assert bundle.answers == 2 and bundle.csv_text.count("\n") == 3  # header + two rows
    assert [w.question_id for w in bundle.weak_questions][:1] == [weak]
    assert bundle.apkg is not None and bundle.apkg[:2] == b"PK"


async def test_someone_never_interviewed_has_empty_stats(sessions, test_bank) -> None:
    stats = await stats_for(sessions, test_bank, "discord", "123")
    assert stats.sessions == 0 and not stats.has_answers
    bundle = await export_for(sessions, test_bank, "discord", "123")
    assert bundle.answers == 0 and bundle.apkg is None
