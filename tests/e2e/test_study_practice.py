"""What study-group members see, end to end: the real bot and discord.py client against the fake Discord.

Study answers count in /stats, /export and /forget-me; a question closes a few seconds after everyone
taking part has answered (the study timer runs on a manual clock, as in test_study_session.py); refusals
name permissions as Discord does.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest_asyncio

from bot.scheduling.clock import ManualClock
from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord, SentMessage
from tests.e2e.interview_helpers import GRADING_TIMEOUT_S, replies_to
from tests.e2e.test_study_session import answer_all, bank_question, study_cog, threads, titled

MEMBERS = ("alice", "bob", "carol")
WINDOW_MIN = 5
#: The bot's default STUDY_CLOSE_GRACE_S.
GRACE = timedelta(seconds=5)
#: Misses every key point of the test bank's questions, but is a real attempt (graded, not refused).
WRONG_ANSWER = ("I think it is mostly about making the learning rate smaller so that the loss goes down "
                "more slowly over time.")


@pytest_asyncio.fixture(loop_scope="session")
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    for name in MEMBERS:
        server.add_user(name)
    await server.start()
    yield server
    await server.stop()


async def started_session(fake: FakeDiscord, harness: BotHarness, questions: int) -> tuple[Any, ManualClock, str,
                                                                                              SentMessage, SentMessage]:
    """`/study now` on a manual clock: (cog, clock, thread id, the intro with Join, question 1)."""
    clock = ManualClock(datetime.now(UTC))
    cog = study_cog(harness)
    cog.use_clock(clock)
    await fake.slash(fake.user_named("alice"), "study now", questions=questions, answer_window=WINDOW_MIN)
    (thread_id,) = await fake.wait_until(lambda: threads(fake))
    intro = await fake.wait_for_bot_message(lambda m: "Press **Join**" in m.content, channel_id=thread_id,
                                            public=True)
    first = await fake.wait_for_bot_message(titled(f"Question 1 of {questions}"), channel_id=thread_id, public=True)
    return cog, clock, thread_id, intro, first


async def join(fake: FakeDiscord, name: str, intro: SentMessage) -> str:
    (reply,) = await replies_to(fake, await fake.click(fake.user_named(name), intro, "Join"))
    assert reply.ephemeral
    return reply.content


def reveals(fake: FakeDiscord, thread_id: str) -> list[SentMessage]:
    return [m for m in fake.bot_messages(thread_id, public=True) if titled("Question ")(m) and "key points" in m.text]


async def test_a_question_closes_a_few_seconds_after_everyone_taking_part_has_answered(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    cog, clock, thread_id, intro, first = await started_session(fake, harness, questions=2)
    assert "You joined this session." in await join(fake, "alice", intro)
    assert "with 1 other member" in await join(fake, "bob", intro)
    assert "already joined" in await join(fake, "bob", intro)

    question = bank_question(test_bank, first)
    (alone,) = await answer_all(fake, first, {"alice": question.reference_answer})
    assert "Everyone taking part has answered" not in alone.text, "bob joined and has not answered"
    clock.advance(GRACE + timedelta(seconds=1))
    await cog.run_due()
    assert reveals(fake, thread_id) == [], "question 1 waits for bob"

    (last,) = await answer_all(fake, first, {"bob": WRONG_ANSWER})
    assert "Everyone taking part has answered" in last.text and "The key points come <t:" in last.text
    clock.advance(GRACE + timedelta(seconds=1))  # seconds, not the five-minute window
    cog.use_clock(clock)
    reveal = await fake.wait_for_bot_message(titled("Question 1: key points"), channel_id=thread_id, public=True,
                                             timeout=GRADING_TIMEOUT_S)
    assert "(2 answers)" in reveal.text
    second = await fake.wait_for_bot_message(titled("Question 2 of 2"), channel_id=thread_id, public=True)

    # Question 2: alice and bob (joined, and answered question 1) are awaited; carol's answer does not close it.
    question_two = bank_question(test_bank, second)
    await answer_all(fake, second, {"carol": question_two.reference_answer, "alice": question_two.reference_answer})
    clock.advance(GRACE + timedelta(seconds=1))
    await cog.run_due()
    assert not [m for m in fake.bot_messages(thread_id, public=True) if titled("Leaderboard")(m)]
    await answer_all(fake, second, {"bob": question_two.reference_answer})
    clock.advance(GRACE + timedelta(seconds=1))
    cog.use_clock(clock)
    board = await fake.wait_for_bot_message(titled("Leaderboard"), channel_id=thread_id, public=True,
                                            timeout=GRADING_TIMEOUT_S)
    assert "3 participants · 2 questions" in board.embeds[0]["footer"]["text"]
    assert len(reveals(fake, thread_id)) == 2, "each question revealed once"


async def test_study_answers_count_in_stats_export_and_forget_me(fake: FakeDiscord, harness: BotHarness,
                                                                 test_bank: Any):
    alice, bob = fake.user_named("alice"), fake.user_named("bob")
    (empty,) = await replies_to(fake, await fake.slash(bob, "stats", dm=True))
    assert "You have no practice yet: no interviews and no answers in study sessions" in empty.text
    assert "/interview start" in empty.text and "/study now" in empty.text
    (nothing,) = await replies_to(fake, await fake.slash(bob, "export", dm=True))
    assert "no answers to export yet" in nothing.text and "study sessions" in nothing.text

    cog, clock, thread_id, intro, first = await started_session(fake, harness, questions=1)
    await join(fake, "alice", intro)
    await answer_all(fake, first, {"alice": WRONG_ANSWER})
    clock.advance(GRACE + timedelta(seconds=1))
    cog.use_clock(clock)
    await fake.wait_for_bot_message(titled("Leaderboard"), channel_id=thread_id, public=True,
                                    timeout=GRADING_TIMEOUT_S)
    weak = bank_question(test_bank, first)

    (stats,) = await replies_to(fake, await fake.slash(alice, "stats"), lambda m: bool(m.embeds))
    assert "Sessions: 1 study session" in stats.text and "Questions answered: 1 (skipped 0)" in stats.text
    assert f"{weak.topic} " in stats.text and "Mastery by topic" in stats.text and "Reviews due now" in stats.text
    (chart,) = stats.attachments
    assert chart.filename == "progress.png" and chart.data.startswith(b"\x89PNG")

    (export,) = await replies_to(fake, await fake.slash(alice, "export", dm=True), lambda m: bool(m.attachments))
    assert "Your 1 answer (from a study session) with its score and an Anki deck of your weakest question" \
        in export.content
    files = {a.filename: a.data for a in export.attachments}
    rows = list(csv.DictReader(io.StringIO(files["viva-answers.csv"].decode())))
    assert [(r["practice"], r["question_id"], r["answer"]) for r in rows] == [("study", weak.id, WRONG_ANSWER)]
    with zipfile.ZipFile(io.BytesIO(files["viva-weakest.apkg"])) as deck:
        assert "collection.anki2" in deck.namelist()

    (prompt,) = fake.messages_for(await fake.slash(alice, "forget-me"))
    assert "study sessions" in prompt.text
    await fake.click(alice, prompt, "Delete my data")
    await fake.wait_until(lambda: prompt.content.startswith("Done"), 10)
    assert prompt.content == ("Done. I deleted your profile and all your data: 1 study-session answer, "
                              "1 study-session sign-up and 1 review-schedule entry.")
    (after,) = await replies_to(fake, await fake.slash(alice, "stats", dm=True))
    assert "no practice yet" in after.text


async def test_refusals_name_permissions_as_discord_does(fake: FakeDiscord, harness: BotHarness):
    member = fake.user_named("carol")
    for command, options in (("study settings", {"questions": 1}), ("study cancel", {"id": 1})):
        refused = await fake.slash(member, command, permissions="0", **options)
        (refusal,) = await replies_to(fake, refused)
        assert refusal.ephemeral and refusal.content == "You need the Manage Server permission for that."
