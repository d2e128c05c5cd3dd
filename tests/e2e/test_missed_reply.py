"""An answer saved whose reply never reached the candidate (Discord refused it: an expired interaction
token, a DM the bot could not post in) is shown at their next step, before anything else happens."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any

from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.interview_helpers import GRADING_TIMEOUT_S, PARTIAL_EPOCH, is_question, replies_to


def last_reply_shown(harness: BotHarness) -> bool:
    """Whether the database records that the reply to the latest answer was shown (the bot records it
    just after sending the reply, so a test waits for it before its next step)."""
    path = harness.settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        rows = [json.loads(row[0]) for row in db.execute("SELECT exchanges FROM turns ORDER BY id")]
    answers = [record for exchanges in rows for record in exchanges]
    return bool(answers) and answers[-1].get("replied") is not False


async def wait_until_reply_shown(harness: BotHarness, timeout: float = 10.0) -> None:
    """Poll the database (no Discord event marks this moment) until the latest reply is recorded as shown."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not last_reply_shown(harness):
        assert asyncio.get_running_loop().time() < deadline, "the shown reply was never recorded"
        await asyncio.sleep(0.05)


async def test_a_thread_answer_whose_reply_was_refused_is_shown_before_the_next_button_acts(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    alice = fake.user_named("alice")
    await fake.slash(alice, "interview start", topic="T07", questions=2, persona="tester")
    first = await fake.wait_for_bot_message(lambda m: is_question(m, 1), public=True)
    question = test_bank.question("T07-001")
    opened = await fake.click(alice, first, "Answer")
    for method in ("POST", "PATCH"):  # every reply to this answer: the interaction token has "expired"
        fake.refuse(method, r"/webhooks/.*", times=20)
    fake.refuse("POST", rf"/channels/{first.channel_id}/messages", times=20)
    await fake.submit_modal(alice, opened.modal, PARTIAL_EPOCH)
    await fake.wait_until(lambda: fake.refused, GRADING_TIMEOUT_S)  # graded, saved, and the reply refused
    fake.refusals.clear()

    before = len(fake.bot_messages(first.channel_id, public=True))
    held = await fake.click(alice, first, "Hint")
    await replies_to(fake, held, lambda m: "did not act on that" in m.text)
    shown = "\n".join(m.text for m in fake.messages_for(held))
    assert "question 1" in shown and "was saved" in shown
    assert "did not act on that" in shown and question.hint not in shown
    follow_up = question.key_point("kp2").follow_up  # the follow-up the candidate never saw, in the thread now
    await fake.wait_for_bot_message(lambda m: follow_up in m.text, channel_id=first.channel_id, after=before,
                                    public=True)

    await wait_until_reply_shown(harness)
    hint = await fake.click(alice, first, "Hint")  # the reply has been shown: the button acts again
    shown = "\n".join(m.text for m in await replies_to(fake, hint))
    assert question.hint in shown, shown
    assert "never reached you" not in "\n".join(m.text for m in fake.messages_for(hint))


async def test_a_dm_answer_whose_reply_was_refused_is_shown_and_the_next_text_is_given_back(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    bob = fake.user_named("bob")
    dm = fake.dm_channel_id(bob)
    start = await fake.slash(bob, "interview start", dm=True, topic="T07", questions=2, persona="tester")
    await replies_to(fake, start, lambda m: is_question(m, 1))
    question = test_bank.question("T07-001")

    fake.refuse("POST", rf"/channels/{dm}/messages", times=20, status=403, code=50007,
                message="Cannot send messages to this user")
    await fake.user_says(bob, PARTIAL_EPOCH, channel_id=dm)
    await fake.wait_until(lambda: fake.refused, GRADING_TIMEOUT_S)
    fake.refusals.clear()

    before = len(fake.bot_messages(dm))
    second_text = "An iteration is one update of the weights from one mini-batch."
    await fake.user_says(bob, second_text, channel_id=dm)
    follow_up = question.key_point("kp2").follow_up  # the reply never seen ends with this follow-up
    await fake.wait_for_bot_message(lambda m: follow_up in m.text, channel_id=dm, after=before,
                                    timeout=GRADING_TIMEOUT_S)
    shown = "\n".join(m.text for m in fake.bot_messages(dm)[before:])
    assert "never reached you" in shown and "did not take the text" in shown
    assert f"> {second_text}" in shown, "the text not taken as an answer is given back to send again"

    await wait_until_reply_shown(harness)
    before = len(fake.bot_messages(dm))
    await fake.user_says(bob, second_text, channel_id=dm)  # sent again: now it answers the follow-up
    reply = await fake.wait_for_bot_message(channel_id=dm, after=before, timeout=GRADING_TIMEOUT_S)
    assert "never reached you" not in reply.text and "did not take the text" not in reply.text
