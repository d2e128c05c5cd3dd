"""A restart mid-interview loses nothing, and the buttons posted before it still work."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.interview_helpers import (
    GRADING_TIMEOUT_S,
    PARTIAL_EPOCH,
    is_question,
    question_on,
    replies_to,
    strong_answer,
)


async def test_buttons_work_after_restart_and_the_interview_resumes(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    alice = fake.user_named("alice")
    await fake.slash(alice, "interview start", topic="T07", questions=1, persona="tester")
    first = await fake.wait_for_bot_message(lambda m: is_question(m, 1), public=True)
    question = question_on(first, test_bank)
    opened = await fake.click(alice, first, "Answer")
    before = len(fake.bot_messages(first.channel_id, public=True))
    await fake.submit_modal(alice, opened.modal, PARTIAL_EPOCH)  # misses a key point: earns a follow-up
    follow_up = await fake.wait_for_bot_message(channel_id=first.channel_id, after=before, public=True,
                                                timeout=GRADING_TIMEOUT_S)

    assert question.key_point("kp2").follow_up in follow_up.text
    typing = await fake.click(alice, follow_up, "Answer")  # the candidate is typing in the modal...

    await harness.restart()  # ...when the bot restarts: a new process, nothing survives but the database

    hint = await fake.click(alice, first, "Hint")  # a button from before the restart
    (hint_message,) = await replies_to(fake, hint)
    assert question.hint in hint_message.text
    assert typing.modal is not None
    answered = await fake.submit_modal(alice, typing.modal, strong_answer(question))  # opened before the restart
    report = await replies_to(fake, answered, lambda m: "Interview report" in m.text)
    report_text = "\n".join(m.text for m in report)
    assert f"[{question.id}]" in report_text
    assert "1 follow-up" in report_text, "the answer given before the restart still counts"
    assert "hint used" in report_text
