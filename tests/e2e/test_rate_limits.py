"""Discord rate limits (HTTP 429) on the bot's messages: it waits as told and delivers everything once."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.interview_helpers import GRADING_TIMEOUT_S, PARTIAL_EPOCH, is_question, replies_to, weak_answer


async def test_rate_limited_dm_replies_arrive_once_after_the_wait(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    alice = fake.user_named("alice")
    dm = fake.dm_channel_id(alice)
    start = await fake.slash(alice, "interview start", dm=True, topic="T07", questions=1, persona="tester")
    await replies_to(fake, start, lambda m: is_question(m, 1))

    fake.rate_limit("POST", rf"/channels/{dm}/messages", times=2, retry_after=0.3)
    before = len(fake.bot_messages(dm))
    await fake.user_says(alice, PARTIAL_EPOCH, channel_id=dm)
    follow_up = await fake.wait_for_bot_message(channel_id=dm, after=before, timeout=GRADING_TIMEOUT_S)

    assert fake.rate_limited == [f"POST /channels/{dm}/messages"] * 2
    assert test_bank.question("T07-001").key_point("kp2").follow_up in follow_up.text
    sent = [m.text for m in fake.bot_messages(dm)[before:]]
    assert len(sent) == len(set(sent)), f"a retried message was posted twice: {sent}"


async def test_rate_limited_thread_post_and_followup_lose_nothing(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    alice = fake.user_named("alice")
    await fake.slash(alice, "interview start", questions=1, persona="tester")
    first = await fake.wait_for_bot_message(lambda m: is_question(m, 1), public=True)
    thread_id = first.channel_id
    question = next(q for q in test_bank.questions.values() if q.prompt in first.text)

    # The private grade (a webhook followup) and the public follow-up question (a thread message) are
    # both refused once before they go through.
    fake.rate_limit("POST", r"/webhooks/\d+/[^/]+", times=1, retry_after=0.3)
    fake.rate_limit("POST", rf"/channels/{thread_id}/messages", times=1, retry_after=0.3)
    opened = await fake.click(alice, first, "Answer")
    assert opened.modal is not None
    before = len(fake.bot_messages(thread_id, public=True))
    submitted = await fake.submit_modal(alice, opened.modal, weak_answer(question))
    follow_up = await fake.wait_for_bot_message(channel_id=thread_id, after=before, public=True,
                                                timeout=GRADING_TIMEOUT_S)
    private = await replies_to(fake, submitted)

    assert any(kp.follow_up in follow_up.text for kp in question.key_points), follow_up.text
    assert private and all(m.ephemeral for m in private)
    assert len(fake.bot_messages(thread_id, public=True)) == before + 1, "the follow-up was posted once"
    served = sorted("webhook" if r.startswith("POST /webhooks/") else r for r in fake.rate_limited)
    assert served == sorted([f"POST /channels/{thread_id}/messages", "webhook"]), fake.rate_limited
    fake.assert_acks_within()
