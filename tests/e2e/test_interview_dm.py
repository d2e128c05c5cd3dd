"""Interviews in direct messages: typed messages are answers (no privileged intent needed)."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.interview_helpers import (
    GRADING_TIMEOUT_S,
    PARTIAL_EPOCH,
    is_question,
    replies_to,
    strong_answer,
)


async def test_dm_interview_with_typed_answers_follow_up_and_report(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    alice = fake.user_named("alice")
    dm = fake.dm_channel_id(alice)
    start = await fake.slash(alice, "interview start", dm=True, topic="T07", questions=1, persona="tester")
    opening = await replies_to(fake, start, lambda m: is_question(m, 1))
    assert not any(m.ephemeral for m in opening), "a DM is private already: the conversation stays visible"
    question = test_bank.question("T07-001")
    assert question.prompt in opening[-1].text

    before = len(fake.bot_messages(dm))
    await fake.user_says(alice, PARTIAL_EPOCH, channel_id=dm)
    follow_up = await fake.wait_for_bot_message(channel_id=dm, after=before, timeout=GRADING_TIMEOUT_S)
    assert question.key_point("kp2").follow_up in follow_up.text

    before = len(fake.bot_messages(dm))
    await fake.user_says(alice, strong_answer(question), channel_id=dm)
    report = await fake.wait_for_bot_message(lambda m: "Interview report" in m.text, channel_id=dm, after=before,
                                             timeout=GRADING_TIMEOUT_S)
    assert "[T07-001]" in report.text and "1 follow-up" in report.text
    assert "Score:" in "\n".join(m.text for m in fake.bot_messages(dm)[before:])


async def test_dm_message_without_an_interview_points_to_the_command(fake: FakeDiscord, harness: BotHarness):
    bob = fake.user_named("bob")
    dm = fake.dm_channel_id(bob)
    await fake.user_says(bob, "hello there", channel_id=dm)
    reply = await fake.wait_for_bot_message(channel_id=dm)
    assert "/interview start" in reply.content
