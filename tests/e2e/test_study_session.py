"""Study sessions end to end: the real bot against the fake Discord, five members answering at once.

The study timer runs on a manual clock (StudyCog.use_clock), so answer windows close when the test
says, not after minutes of real time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from bot.scheduling import study_run
from bot.scheduling.clock import ManualClock
from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord, InteractionRecord, SentMessage
from tests.e2e.fake_discord.protocol import PUBLIC_THREAD
from tests.e2e.interview_helpers import GRADING_TIMEOUT_S, replies_to

MEMBERS = ("alice", "bob", "carol", "dave", "erin")
WINDOW_MIN = 5


@pytest_asyncio.fixture(loop_scope="session")
async def fake() -> AsyncIterator[FakeDiscord]:
    """The fake Discord with five members (overrides the shared two-member one)."""
    server = FakeDiscord()
    for name in MEMBERS:
        server.add_user(name)
    await server.start()
    yield server
    await server.stop()


def study_cog(harness: BotHarness) -> Any:
    assert harness.bot is not None
    cog = harness.bot.get_cog("StudyCog")
    assert cog is not None, "the study extension is not loaded"
    return cog


def threads(fake: FakeDiscord) -> list[str]:
    return [cid for cid, channel in fake.channels.items() if channel["type"] == PUBLIC_THREAD]


def titled(prefix: str) -> Any:
    return lambda m: bool(m.embeds) and m.embeds[0].get("title", "").startswith(prefix)


def bank_question(bank: Any, message: SentMessage) -> Any:
    return next(q for q in bank.questions.values() if q.prompt in message.text)


async def slash_with_channel(fake: FakeDiscord, user: dict[str, Any], name: str, channel_id: str,
                             **options: Any) -> InteractionRecord:
    """A slash command with a channel option, run from #general."""
    return await fake.slash(user, name, channel=channel_id, **options)


async def answer_all(fake: FakeDiscord, question_message: SentMessage, texts: dict[str, str]) -> list[SentMessage]:
    """Every member in `texts` presses Answer and submits the modal, all at the same time."""
    users = [fake.user_named(name) for name in texts]
    clicks = await asyncio.gather(*(fake.click(user, question_message, "Answer") for user in users))
    assert all(click.modal is not None for click in clicks), [fake.messages_for(c) for c in clicks]
    submits = await asyncio.gather(*(fake.submit_modal(user, click.modal, texts[user["username"]])
                                     for user, click in zip(users, clicks, strict=True)))
    replies = await asyncio.gather(*(replies_to(fake, s, lambda m: "score" in m.text) for s in submits))
    return [message for group in replies for message in group]


async def test_five_members_answer_at_once_and_get_feedback_key_points_and_a_leaderboard(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    clock = ManualClock(datetime.now(UTC))
    cog = study_cog(harness)
    cog.use_clock(clock)
    manager = fake.user_named("alice")

    started = await fake.slash(manager, "study now", questions=2, answer_window=WINDOW_MIN)
    (thread_id,) = await fake.wait_until(lambda: threads(fake))
    assert fake.channels[thread_id]["name"].startswith("Study session — mixed topics — ")
    (pointer,) = await replies_to(fake, started)
    assert pointer.ephemeral and f"<#{thread_id}>" in pointer.content
    first = await fake.wait_for_bot_message(titled("Question 1 of 2"), channel_id=thread_id, public=True)
    assert first.button("Answer") and "<t:" in first.text
    question = bank_question(test_bank, first)

    # Five members answer concurrently: three strong answers, two weak ones; feedback is private.
    texts = {name: question.reference_answer if name in ("alice", "bob", "carol") else question.key_points[-1].point
             for name in MEMBERS}
    feedback = await answer_all(fake, first, texts)
    assert len(feedback) == 5 and all(m.ephemeral for m in feedback)
    assert all("Question 1 — score" in m.text for m in feedback)
    assert not [m for m in fake.bot_messages(thread_id, public=True) if "score" in m.text], "grades stay private"

    # Each member answers each question once.
    again = await fake.click(manager, first, "Answer")
    (refusal,) = fake.messages_for(again)
    assert again.modal is None and refusal.ephemeral and "already answered question 1" in refusal.content

    # The window closes: the key points are posted, then question 2.
    before = len(fake.bot_messages(thread_id, public=True))
    clock.advance(timedelta(minutes=WINDOW_MIN, seconds=1))
    cog.use_clock(clock)
    reveal = await fake.wait_for_bot_message(titled("Question 1: key points"), channel_id=thread_id, after=before,
                                             public=True, timeout=GRADING_TIMEOUT_S)
    assert "(5 answers)" in reveal.text and question.key_points[0].point in reveal.text
    second = await fake.wait_for_bot_message(titled("Question 2 of 2"), channel_id=thread_id, after=before,
                                             public=True)
    late = await fake.click(fake.user_named("dave"), first, "Answer")
    assert late.modal is None and "closed" in fake.messages_for(late)[0].content

    # Only two members answer question 2; then the leaderboard.
    question_two = bank_question(test_bank, second)
    await answer_all(fake, second, {"bob": question_two.reference_answer, "erin": question_two.reference_answer})
    clock.advance(timedelta(minutes=WINDOW_MIN, seconds=1))
    cog.use_clock(clock)
    board = await fake.wait_for_bot_message(titled("Leaderboard"), channel_id=thread_id, public=True,
                                            timeout=GRADING_TIMEOUT_S)
    lines = board.embeds[0]["description"].splitlines()
    assert len(lines) == 5 and "**bob**" in lines[0].lower() and "2 answers" in lines[0]
    assert all(f"**{name}**" in board.text.lower() for name in MEMBERS)
    assert sum("1 answer" in line and "answers" not in line for line in lines) == 3
    assert "weakest key points" in board.text and "5 participants" in board.text
    assert board.allowed_mentions == {"parse": []}, "the bot never pings"


async def test_a_session_nobody_answers_ends_gracefully(fake: FakeDiscord, harness: BotHarness):
    clock = ManualClock(datetime.now(UTC))
    cog = study_cog(harness)
    cog.use_clock(clock)
    await fake.slash(fake.user_named("bob"), "study now", questions=1, answer_window=1)
    (thread_id,) = await fake.wait_until(lambda: threads(fake))
    await fake.wait_for_bot_message(titled("Question 1 of 1"), channel_id=thread_id, public=True)
    clock.advance(timedelta(minutes=1, seconds=1))
    await cog.run_due()  # one timer step now, rather than waiting for the timer task to notice
    board = await fake.wait_for_bot_message(titled("Leaderboard"), channel_id=thread_id, public=True)
    assert "Nobody answered this time" in board.text


async def test_a_schedule_runs_in_its_channel_when_due(fake: FakeDiscord, harness: BotHarness):
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    cog = study_cog(harness)
    cog.use_clock(clock)
    manager = fake.user_named("alice")

    refused = await slash_with_channel(fake, manager, "study schedule", fake.general_id, when="mon,thu 18:00",
                                       timezone="Europe/Berln")
    (error,) = await replies_to(fake, refused)
    assert error.ephemeral and "Unknown time zone" in error.content and "Europe/Berlin" in error.content
    bad_time = await slash_with_channel(fake, manager, "study schedule", fake.general_id, when="whenever",
                                        timezone="Europe/Berlin")
    (error,) = await replies_to(fake, bad_time)
    assert "`mon,thu 18:00`" in error.content

    made = await slash_with_channel(fake, manager, "study schedule", fake.general_id, when="mon,thu 18:00",
                                    timezone="Europe/Berlin", questions=1, answer_window=10)
    (confirmation,) = await replies_to(fake, made)
    due = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 18:00 in Berlin (UTC+1)
    assert confirmation.ephemeral and f"<t:{int(due.timestamp())}:F>" in confirmation.content

    listed = await fake.slash(fake.user_named("bob"), "study list")
    (listing,) = await replies_to(fake, listed)
    assert "`mon,thu 18:00`" in listing.text and "Europe/Berlin" in listing.text

    clock.set(due + timedelta(seconds=1))
    cog.use_clock(clock)
    (thread_id,) = await fake.wait_until(lambda: threads(fake))
    assert fake.channels[thread_id]["name"] == "Study session — mixed topics — 2026-03-02"
    await fake.wait_for_bot_message(titled("Question 1 of 1"), channel_id=thread_id, public=True)
    announcement = await fake.wait_for_bot_message(lambda m: "study session is starting" in m.content,
                                                   channel_id=fake.general_id, public=True)
    assert f"<#{thread_id}>" in announcement.content

    history = await fake.slash(manager, "study history")
    (entries,) = await replies_to(fake, history)
    assert "Study session — mixed topics — 2026-03-02" in entries.text and "running" in entries.text


async def test_restarts_around_the_due_time_start_the_session_once_late_and_finish_it(
    fake: FakeDiscord, harness: BotHarness, monkeypatch: pytest.MonkeyPatch
):
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    # A restarted bot must see the manual clock from its very first timer step.
    monkeypatch.setattr(study_run, "SystemClock", lambda: clock)
    study_cog(harness).use_clock(clock)
    made = await slash_with_channel(fake, fake.user_named("alice"), "study schedule", fake.general_id,
                                    when="daily 18:00", timezone="UTC", questions=1, answer_window=10)
    await replies_to(fake, made)

    await harness.stop()  # the bot is down at 18:00…
    clock.set(datetime(2026, 3, 2, 18, 3, tzinfo=UTC))
    await harness.start()  # …and back three minutes later, inside the 10-minute window
    (thread_id,) = await fake.wait_until(lambda: threads(fake))
    intro = await fake.wait_for_bot_message(lambda m: "late" in m.content, channel_id=thread_id, public=True)
    assert "Started 3 minutes late: the bot was offline" in intro.content
    await fake.wait_for_bot_message(titled("Question 1 of 1"), channel_id=thread_id, public=True)

    await harness.restart()  # a second restart: the occurrence is not run again
    cog = study_cog(harness)
    await cog.run_due()
    assert threads(fake) == [thread_id]
    assert len([m for m in fake.bot_messages(thread_id) if titled("Question 1")(m)]) == 1

    clock.advance(timedelta(minutes=10))  # the open question's deadline survived the restart
    cog.use_clock(clock)
    await fake.wait_for_bot_message(titled("Leaderboard"), channel_id=thread_id, public=True)
    await cog.run_due()
    assert len([m for m in fake.bot_messages(thread_id) if titled("Leaderboard")(m)]) == 1


async def test_only_managers_change_settings_and_the_chosen_role_is_mentioned(fake: FakeDiscord, harness: BotHarness):
    manager, member = fake.user_named("alice"), fake.user_named("bob")
    role_id = fake.add_role("study-group")["id"]

    # A member without Manage Server is refused, privately.
    refused = await fake.slash(member, "study settings", permissions="0", questions=1)
    (refusal,) = await replies_to(fake, refused)
    assert refusal.ephemeral and refusal.content == "You need the Manage Server permission for that."

    # A manager sets the defaults, with a role to mention at the start of each session.
    changed = await fake.slash(manager, "study settings", questions=1, answer_window=2, role=role_id)
    (shown,) = await replies_to(fake, changed)
    assert shown.ephemeral and "Questions per session: 1" in shown.text and "Answer window: 2 min" in shown.text
    assert f"<@&{role_id}>" in shown.text

    await fake.slash(member, "study now")  # the defaults apply: one question, the role is mentioned
    announcement = await fake.wait_for_bot_message(lambda m: "study session is starting" in m.content,
                                                   channel_id=fake.general_id, public=True)
    assert announcement.content.startswith(f"<@&{role_id}>")
    assert announcement.allowed_mentions is not None and announcement.allowed_mentions.get("roles") == [int(role_id)]
    (thread_id,) = await fake.wait_until(lambda: threads(fake))
    await fake.wait_for_bot_message(titled("Question 1 of 1"), channel_id=thread_id, public=True)


async def test_a_session_whose_thread_was_deleted_is_abandoned(fake: FakeDiscord, harness: BotHarness):
    clock = ManualClock(datetime.now(UTC))
    cog = study_cog(harness)
    cog.use_clock(clock)
    await fake.slash(fake.user_named("carol"), "study now", questions=2, answer_window=1)
    (thread_id,) = await fake.wait_until(lambda: threads(fake))
    await fake.wait_for_bot_message(titled("Question 1 of 2"), channel_id=thread_id, public=True)
    del fake.channels[thread_id]  # a moderator deletes the thread mid-session

    clock.advance(timedelta(minutes=1, seconds=1))  # the cog reads this clock; its timer sleeps on
    await cog.run_due()
    # The timer task may be the one that closed the question (a step runs once, by whoever is first):
    # wait for the run to be settled either way.
    guild_id = str(fake.guild_id)
    for _ in range(100):
        if any(e.status == "abandoned" for e in await cog.engine.history(guild_id)):
            break
        await asyncio.sleep(0.05)
    history = await fake.slash(fake.user_named("carol"), "study history")
    (entries,) = await replies_to(fake, history)
    assert "abandoned" in entries.text and "thread was deleted" in entries.text
    assert await cog.engine.next_deadline() is None, "an abandoned run has no timer left"
