"""Every form survives a restart: a study answer or a code submission typed while the bot restarted still
reaches its handler (modals are routed by custom id, not by the in-memory object that opened them)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.scheduling.clock import ManualClock
from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.interview_helpers import GRADING_TIMEOUT_S, replies_to
from tests.e2e.test_coding import CHECK_TIMEOUT_S, submission


async def test_a_study_answer_typed_across_a_restart_is_graded(fake: FakeDiscord, harness: BotHarness,
                                                               test_bank: object) -> None:
    assert harness.bot is not None
    clock = ManualClock(datetime.now(UTC))
    harness.bot.get_cog("StudyCog").use_clock(clock)  # type: ignore[union-attr]
    alice = fake.user_named("alice")
    await fake.slash(alice, "study now", questions=1, answer_window=5)
    question_message = await fake.wait_for_bot_message(
        lambda m: bool(m.embeds) and m.embeds[0].get("title", "").startswith("Question 1 of 1"), public=True)
    question = next(q for q in test_bank.questions.values() if q.prompt in question_message.text)  # type: ignore[attr-defined]
    opened = await fake.click(alice, question_message, "Answer")
    assert opened.modal is not None

    restarted = await harness.restart()  # alice is still typing
    restarted.get_cog("StudyCog").use_clock(clock)  # type: ignore[union-attr]

    answered = await fake.submit_modal(alice, opened.modal, question.reference_answer)
    (feedback,) = await replies_to(fake, answered, lambda m: "score" in m.text, timeout=GRADING_TIMEOUT_S)
    assert feedback.ephemeral and "Question 1 — score" in feedback.text


async def test_code_pasted_across_a_restart_is_checked(fake: FakeDiscord, harness: BotHarness) -> None:
    bob = fake.user_named("bob")
    opened = await fake.slash(bob, "code submit")
    assert opened.modal is not None

    await harness.restart()  # bob is still pasting

    record = await fake.submit_modal(bob, opened.modal, "dropout", submission("dropout_good.py"))
    (verdict,) = await replies_to(fake, record, lambda m: bool(m.embeds), timeout=CHECK_TIMEOUT_S)
    assert verdict.embeds[0]["title"].startswith("✅")
