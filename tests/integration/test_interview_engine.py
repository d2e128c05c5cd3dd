"""Scripted interviews through the real engine, the real grader and a migrated SQLite file."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.interview.engine import (
    InterviewEngine,
    InterviewError,
    InterviewOptions,
    NotYourInterview,
    Participant,
)
from bot.storage.database import create_engine, make_sessionmaker
from bot.storage.models import Turn

pytestmark = pytest.mark.both_databases  # each test runs on SQLite and on PostgreSQL

ADA = Participant(platform="terminal", external_id="ada", display_name="Ada")

STRONG_EPOCH = ("An epoch is one complete pass over the entire training set, so every example is seen once. "
                "An iteration is a single update of the weights computed on one mini-batch. "
                "With N examples and batch size B, one epoch takes about N/B iterations.")
PARTIAL_EPOCH = "An epoch is one complete pass over all of the training data."
MISCONCEPTION_EPOCH = "An epoch is the same as an iteration: one epoch is a single update of the weights."


def kinds(reply) -> list[str]:
    return [m.kind for m in reply.messages]


def text_of(reply, kind: str) -> str:
    return "\n".join(m.text for m in reply.messages if m.kind == kind)


async def start(engine: InterviewEngine, topic: str, questions: int = 1):
    return await engine.start(ADA, InterviewOptions(topic=topic, questions=questions, persona="tester"))


async def test_start_introduces_persona_and_asks_first_question(engine: InterviewEngine) -> None:
    reply = await start(engine, "T07")
    assert kinds(reply) == ["intro", "question"]
    assert "Test Interviewer" in text_of(reply, "intro")
    assert "epoch" in text_of(reply, "question")
    assert reply.actions == ("answer", "hint", "skip", "end")
    assert (reply.question_number, reply.total_questions) == (1, 1)


async def test_strong_answer_gets_no_follow_up(engine: InterviewEngine) -> None:
    reply = await start(engine, "T07")
    reply = await engine.answer(reply.session_id, STRONG_EPOCH)
    assert "follow_up" not in kinds(reply) and "correction" not in kinds(reply)
    assert reply.finished
    assert reply.report is not None and reply.report.questions[0].score >= 4.0


async def test_weak_answer_gets_follow_up_on_missing_point(engine: InterviewEngine, test_bank) -> None:
    reply = await start(engine, "T07")
    reply = await engine.answer(reply.session_id, PARTIAL_EPOCH)
    assert not reply.finished
    iteration_point = test_bank.question("T07-001").key_point("kp2")
    assert iteration_point.follow_up in text_of(reply, "follow_up")
    # answering the follow-up merges coverage and completes the question
    reply = await engine.answer(reply.session_id, "An iteration is one gradient update on a single mini-batch.")
    assert reply.finished or "follow_up" in kinds(reply)
    report = await engine.report(reply.session_id)
    assert iteration_point.point in report.questions[0].covered + report.questions[0].partial


async def test_misconception_is_corrected(engine: InterviewEngine, test_bank) -> None:
    reply = await start(engine, "T07")
    reply = await engine.answer(reply.session_id, MISCONCEPTION_EPOCH)
    assert "correction" in kinds(reply)
    assert test_bank.misconceptions["M06"].correction in text_of(reply, "correction")
    report = await engine.report(reply.session_id)
    assert report.questions[0].corrections[0][0] == test_bank.misconceptions["M06"].title


async def test_at_most_two_follow_ups_per_question(engine: InterviewEngine) -> None:
    reply = await start(engine, "T07")
    follow_ups = 0
    for attempt in ["An epoch is a pass over the data.", "Something about batches I think.",
                    "It is related to training time really."]:
        reply = await engine.answer(reply.session_id, attempt)
        if reply.finished:
            break
        follow_ups += 1
    assert reply.finished and follow_ups <= 2


async def test_hint_caps_score_and_is_given_once(engine: InterviewEngine, test_bank) -> None:
    reply = await start(engine, "T07")
    hint = await engine.hint(reply.session_id)
    assert test_bank.question("T07-001").hint in text_of(hint, "hint")
    assert "hint" not in hint.actions
    again = await engine.hint(reply.session_id)
    assert "already" in text_of(again, "notice")
    done = await engine.answer(reply.session_id, STRONG_EPOCH)
    assert done.report is not None
    assert done.report.questions[0].score <= 4.0 and done.report.questions[0].hint_used


async def test_skip_moves_on_and_report_marks_it(engine: InterviewEngine) -> None:
    reply = await engine.start(ADA, InterviewOptions(questions=2, persona="tester", difficulty="easy"))
    skipped = await engine.skip(reply.session_id)
    assert "question" in kinds(skipped) and skipped.question_number == 2
    final = await engine.end(skipped.session_id)
    assert final.finished and final.report is not None
    outcomes = [q.outcome for q in final.report.questions]
    assert outcomes == ["skipped", "unanswered"]
    with pytest.raises(InterviewError):
        await engine.answer(final.session_id, "too late")


async def test_report_lists_covered_and_missed_points_and_topics_to_study(engine: InterviewEngine,
                                                                          test_bank) -> None:
    reply = await start(engine, "T07")
    reply = await engine.answer(reply.session_id, PARTIAL_EPOCH)
    reply = await engine.skip(reply.session_id)  # skips the follow-up: the partial answer stands
    assert reply.finished and reply.report is not None
    row = reply.report.questions[0]
    question = test_bank.question("T07-001")
    assert question.key_point("kp1").point in row.covered + row.partial
    assert question.key_point("kp2").point in row.missed
    assert set(row.covered) | set(row.partial) | set(row.missed) == {kp.point for kp in question.key_points}
    assert ("T07", "Optimisation") in reply.report.study_next
    text = reply.report.render_markdown()
    assert "**Missed:**" in text and "Study next" in text and question.prompt in text


async def test_empty_and_non_answers_are_not_graded_as_attempts(engine: InterviewEngine, sessions) -> None:
    reply = await start(engine, "T07")
    for text in ["", "   ", "idk", "🙂🙂🙂"]:
        again = await engine.answer(reply.session_id, text)
        assert not again.finished and "notice" in kinds(again)
        assert "hint" in " ".join(m.text for m in again.messages).lower()
    async with sessions() as db:
        turn = (await db.scalars(select(Turn))).one()
        assert turn.phase == "asked" and turn.score is None


async def test_very_long_answer_is_saved_whole(engine: InterviewEngine, sessions) -> None:
    reply = await start(engine, "T07")
    long_answer = (STRONG_EPOCH + " ") * 90  # about 21,000 characters
    assert len(long_answer) > 20_000
    graded = await engine.answer(reply.session_id, long_answer)
    assert "very long" in text_of(graded, "notice")
    async with sessions() as db:
        turn = (await db.scalars(select(Turn))).one()
        assert turn.answer == long_answer.strip()


async def test_only_the_candidate_may_move_their_interview_on(engine: InterviewEngine, sessions) -> None:
    reply = await start(engine, "T07")
    for step in (lambda: engine.answer(reply.session_id, STRONG_EPOCH, owner="mallory"),
                 lambda: engine.hint(reply.session_id, owner="mallory"),
                 lambda: engine.skip(reply.session_id, owner="mallory"),
                 lambda: engine.end(reply.session_id, owner="mallory")):
        with pytest.raises(NotYourInterview):
            await step()
    async with sessions() as db:  # nothing was written on the intruder's behalf
        turn = (await db.scalars(select(Turn))).one()
        assert (turn.phase, turn.answer, turn.hints_used, turn.exchanges) == ("asked", None, 0, [])
    graded = await engine.answer(reply.session_id, STRONG_EPOCH, owner="ada")
    assert graded.finished


async def test_interview_resumes_from_the_database_after_a_crash(test_bank, grader, db_url) -> None:
    first = create_engine(db_url)
    engine = InterviewEngine(test_bank, grader, make_sessionmaker(first))
    reply = await engine.start(ADA, InterviewOptions(questions=2, persona="tester", difficulty="E"))
    reply = await engine.answer(reply.session_id, STRONG_EPOCH)
    session_id = reply.session_id
    await first.dispose()  # the "process" dies; nothing is kept in memory

    second = create_engine(db_url)
    revived = InterviewEngine(test_bank, grader, make_sessionmaker(second))
    assert await revived.active_session(ADA) == session_id
    resumed = await revived.resume(session_id)
    assert "question" in kinds(resumed) and not resumed.finished
    final = await revived.end(session_id)
    assert final.report is not None and final.report.questions[0].outcome == "answered"
    await second.dispose()


async def test_unknown_topic_difficulty_or_persona_is_a_clear_error(engine: InterviewEngine) -> None:
    with pytest.raises(InterviewError, match="Unknown topic"):
        await engine.start(ADA, InterviewOptions(topic="astrology"))
    with pytest.raises(InterviewError, match="difficulty"):
        await engine.start(ADA, InterviewOptions(difficulty="impossible"))
    with pytest.raises(InterviewError, match="persona"):
        await engine.start(ADA, InterviewOptions(persona="nobody"))


async def test_questions_do_not_repeat_within_an_interview(engine: InterviewEngine) -> None:
    reply = await engine.start(ADA, InterviewOptions(questions=3, persona="tester"))
    seen = []
    while not reply.finished:
        report = await engine.report(reply.session_id)
        seen.append(report.questions[-1].question_id)
        reply = await engine.skip(reply.session_id)
    assert len(seen) == len(set(seen)) == 3


async def test_concurrent_steps_on_one_session_are_serialised_and_leave_no_lock_behind(engine: InterviewEngine) -> None:
    """Two presses at once take turns (both land, in some order), and the per-session lock is dropped
    afterwards: a long-running bot does not keep one per interview it has seen."""
    reply = await start(engine, "T07", questions=2)
    hint, answered = await asyncio.gather(
        engine.hint(reply.session_id),
        engine.answer(reply.session_id, "An epoch is one full pass over the training data."))
    assert "hint" in kinds(hint) and answered.messages
    assert engine._locks == {}


async def exchanges_of(sessions, session_id: int) -> list[dict]:
    async with sessions() as db:
        turns = (await db.scalars(select(Turn).where(Turn.session_id == session_id).order_by(Turn.position))).all()
        return [record for turn in turns for record in turn.exchanges]


async def test_an_answer_after_a_missed_reply_shows_that_reply_first_and_stores_nothing(
        engine: InterviewEngine, sessions) -> None:
    """`answer(catch_up=True)` (the Discord modal): one read finds both the pending question and a reply the
    candidate never saw; then the new text is given back, not graded or stored, until that reply is shown."""
    reply = await start(engine, "T07", questions=2)
    answered = await engine.answer(reply.session_id, PARTIAL_EPOCH, owner="ada", catch_up=True)
    engine.reply_not_shown(answered.session_id, answered.answer_ref)  # Discord refused the reply

    held = await engine.answer(reply.session_id, "A second text, typed blind.", owner="ada", catch_up=True)
    assert "did not take the text you just sent" in text_of(held, "notice")
    assert "A second text, typed blind." in text_of(held, "notice")
    assert held.answer_ref == answered.answer_ref  # the front end acknowledges that reply once it is shown
    assert [r["text"] for r in await exchanges_of(sessions, reply.session_id)] == [PARTIAL_EPOCH]
    with pytest.raises(NotYourInterview):  # the owner is still checked in that read
        await engine.answer(reply.session_id, "intruder", owner="mallory", catch_up=True)

    await engine.acknowledge(held.session_id, held.answer_ref)
    follow_up = "An iteration is one gradient update on a single mini-batch."
    moved_on = await engine.answer(reply.session_id, follow_up, owner="ada", catch_up=True)
    assert "did not take" not in text_of(moved_on, "notice")
    assert [r["text"] for r in await exchanges_of(sessions, reply.session_id)] == [PARTIAL_EPOCH, follow_up]


async def test_an_answer_while_the_last_reply_is_being_delivered_is_not_held_back(
        engine: InterviewEngine, sessions) -> None:
    """Not acknowledged yet but on its way from this process: nothing was missed, the answer goes ahead."""
    reply = await start(engine, "T07", questions=2)
    await engine.answer(reply.session_id, PARTIAL_EPOCH, catch_up=True)  # delivering, never acknowledged
    follow_up = "An iteration is one gradient update on a single mini-batch."
    moved_on = await engine.answer(reply.session_id, follow_up, catch_up=True)
    assert "did not take" not in text_of(moved_on, "notice")
    assert [r["text"] for r in await exchanges_of(sessions, reply.session_id)] == [PARTIAL_EPOCH, follow_up]


async def test_gathered_acknowledgements_are_recorded_together_before_they_return(
        engine: InterviewEngine, sessions) -> None:
    candidates = [Participant(platform="terminal", external_id=f"c{i}", display_name=f"C{i}") for i in range(3)]
    started = [await engine.start(c, InterviewOptions(topic="T07", questions=2, persona="tester")) for c in candidates]
    answered = [await engine.answer(s.session_id, PARTIAL_EPOCH) for s in started]
    for a in answered:
        assert [r["replied"] for r in await exchanges_of(sessions, a.session_id)] == [False]
    await asyncio.gather(*(engine.acknowledge(a.session_id, a.answer_ref, gather_s=0.2) for a in answered))
    for a in answered:
        assert [r["replied"] for r in await exchanges_of(sessions, a.session_id)] == [True]
        resumed = await engine.resume(a.session_id)
        assert "never reached you" not in "\n".join(m.text for m in resumed.messages)
    assert engine._delivering == set() and engine._ack_batch is None


async def test_gathered_acknowledgements_are_recorded_at_once_when_the_process_stops(
        engine: InterviewEngine, sessions) -> None:
    """A graceful stop (Services.close) does not leave shown replies to look missed after the restart."""
    reply = await start(engine, "T07", questions=2)
    answered = await engine.answer(reply.session_id, PARTIAL_EPOCH)
    waiting = asyncio.create_task(engine.acknowledge(answered.session_id, answered.answer_ref, gather_s=60))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await asyncio.wait_for(engine.flush_acknowledgements(), 10)
    await asyncio.wait_for(waiting, 10)
    assert [r["replied"] for r in await exchanges_of(sessions, reply.session_id)] == [True]
