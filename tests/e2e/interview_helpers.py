"""Answers for the test bank's questions, and reading an interview off the fake's messages."""

from __future__ import annotations

from typing import Any

from tests.e2e.fake_discord import FakeDiscord, InteractionRecord, SentMessage

PERSONA = "Test Interviewer"
GRADING_TIMEOUT_S = 60.0
#: For T07-001 (epoch vs iteration): covers the epoch but not the iteration, so the interviewer probes kp2.
PARTIAL_EPOCH = "An epoch is one complete pass over all of the training data."  # waits that include grading; generous for a loaded 2-core CI machine


def question_on(message: SentMessage, bank: Any) -> Any:
    """The bank question whose prompt this message shows."""
    for question in bank.questions.values():
        if question.prompt in message.text:
            return question
    raise AssertionError(f"no bank question in message: {message.text!r}")


def weak_answer(question: Any) -> str:
    """Only the lightest key point, in the bank's own words: a weak answer that earns a follow-up."""
    lightest = min(question.key_points, key=lambda kp: kp.weight)
    return lightest.point


def strong_answer(question: Any) -> str:
    return question.reference_answer


def is_question(message: SentMessage, number: int | None = None) -> bool:
    if not message.embeds:
        return False
    return number is None or message.embeds[0].get("title", "").startswith(f"Question {number} of")


async def replies_to(fake: FakeDiscord, record: InteractionRecord, predicate: Any = None,
                     timeout: float = GRADING_TIMEOUT_S) -> list[SentMessage]:
    """The finished messages answering one interaction, once one of them satisfies `predicate`."""

    def done() -> list[SentMessage] | None:
        messages = [m for m in fake.messages_for(record) if not m.loading]
        if messages and (predicate is None or any(predicate(m) for m in messages)):
            return messages
        return None

    return await fake.wait_until(done, timeout)
