"""A slash-command interview in a server: a thread per candidate, modal answers, buttons."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import BotHarness
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.fake_discord.protocol import MESSAGE, MODAL, PUBLIC_THREAD
from tests.e2e.interview_helpers import (
    GRADING_TIMEOUT_S,
    PERSONA,
    is_question,
    question_on,
    replies_to,
    strong_answer,
    weak_answer,
)


def thread_ids(fake: FakeDiscord) -> list[str]:
    return [cid for cid, channel in fake.channels.items() if channel["type"] == PUBLIC_THREAD]


async def test_interview_in_a_thread_with_modal_answers_follow_up_hint_skip_and_end(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    alice = fake.user_named("alice")
    start = await fake.slash(alice, "interview start", questions=3, persona="tester")

    # The candidate gets a thread (and is added to it); the pointer to it is private.
    (thread_id,) = await fake.wait_until(lambda: thread_ids(fake))
    await fake.wait_until(lambda: alice["id"] in fake.thread_members[thread_id])
    (pointer,) = await replies_to(fake, start)
    assert pointer.ephemeral and f"<#{thread_id}>" in pointer.content
    first = await fake.wait_for_bot_message(lambda m: is_question(m, 1), channel_id=thread_id, public=True)
    assert PERSONA in first.text and "Hi, I'm" in first.text
    assert [b for b in ("Answer", "Hint", "Skip", "End") if first.button(b)]
    question = question_on(first, test_bank)

    # Hint: private, with the bank's hint.
    hint = await fake.click(alice, first, "Hint")
    (hint_message,) = await replies_to(fake, hint)
    assert hint_message.ephemeral and question.hint in hint_message.text

    # A weak answer through the Answer modal gets a graded follow-up, asked in the thread.
    opened = await fake.click(alice, first, "Answer")
    assert opened.response_type == MODAL and opened.modal is not None
    before = len(fake.bot_messages(thread_id, public=True))
    await fake.submit_modal(alice, opened.modal, weak_answer(question))
    follow_up = await fake.wait_for_bot_message(channel_id=thread_id, after=before, public=True,
                                                timeout=GRADING_TIMEOUT_S)
    assert any(kp.follow_up in follow_up.text for kp in question.key_points), follow_up.text
    assert follow_up.button("Answer")

    # A strong answer: the grade privately, then question 2 in the thread. The interviewer may probe
    # once more first (at most two follow-ups per question), so answer until graded.
    asking = follow_up
    for _ in range(2):
        opened = await fake.click(alice, asking, "Answer")
        before = len(fake.bot_messages(thread_id, public=True))
        answered = await fake.submit_modal(alice, opened.modal, strong_answer(question))
        replies = await replies_to(fake, answered)
        assert all(m.ephemeral for m in replies)
        if "Score:" in replies[0].text:
            break
        asking = await fake.wait_for_bot_message(channel_id=thread_id, after=before, public=True)
    else:
        raise AssertionError("the question was never graded")
    second = await fake.wait_for_bot_message(lambda m: is_question(m, 2), channel_id=thread_id, after=before,
                                             public=True, timeout=GRADING_TIMEOUT_S)

    # Skip moves on to question 3; End closes in the thread and sends the report privately.
    await fake.click(alice, second, "Skip")
    third = await fake.wait_for_bot_message(lambda m: is_question(m, 3), channel_id=thread_id, public=True)
    ended = await fake.click(alice, third, "End")
    report = await replies_to(fake, ended, lambda m: "Interview report" in m.text)
    report_text = "\n".join(m.text for m in report)
    assert all(m.ephemeral for m in report) and "— skipped" in report_text and "hint used" in report_text
    closing = await fake.wait_for_bot_message(lambda m: "That's all for today" in m.text, channel_id=thread_id,
                                              public=True)
    assert closing.components == [], "a finished interview shows no buttons"
    fake.assert_acks_within()


async def test_another_member_cannot_press_the_candidates_buttons(fake: FakeDiscord, harness: BotHarness):
    alice, bob = fake.user_named("alice"), fake.user_named("bob")
    await fake.slash(alice, "interview start", questions=1, persona="tester")
    first = await fake.wait_for_bot_message(lambda m: is_question(m, 1))
    for label in ("Answer", "Skip", "End"):
        pressed = await fake.click(bob, first, label)
        (refusal,) = fake.messages_for(pressed)
        assert pressed.response_type == MESSAGE and refusal.ephemeral and "not your interview" in refusal.content
    assert not any(r.modal for r in fake.interactions.values()), "no modal may open for someone else"
    fake.assert_acks_within()


async def test_a_forged_answer_for_someone_elses_interview_is_refused(
    fake: FakeDiscord, harness: BotHarness, test_bank: Any
):
    """The owner id in a button's custom id is only the first filter: an answer modal's submission names just
    the session, so the engine checks the owner in the database before grading anything."""
    alice, bob = fake.user_named("alice"), fake.user_named("bob")
    await fake.slash(alice, "interview start", questions=1, persona="tester")
    first = await fake.wait_for_bot_message(lambda m: is_question(m, 1))
    answer = strong_answer(question_on(first, test_bank))
    opened = await fake.click(alice, first, "Answer")
    assert opened.modal is not None
    forged = await fake.submit_modal(bob, opened.modal, answer)
    (refusal,) = await replies_to(fake, forged)
    assert refusal.ephemeral and "not your interview" in refusal.text
    # Nothing was graded for bob: alice's own answer is still the first, and it ends her interview.
    real = await fake.submit_modal(alice, opened.modal, answer)
    report = await replies_to(fake, real, lambda m: "Interview report" in m.text)
    assert "not your interview" not in "\n".join(m.text for m in report)
    fake.assert_acks_within()


async def test_without_thread_permission_the_interview_is_private(fake: FakeDiscord, harness: BotHarness):
    fake.allow_threads = False
    alice = fake.user_named("alice")
    start = await fake.slash(alice, "interview start", questions=1, persona="tester")
    messages = await replies_to(fake, start, lambda m: is_question(m, 1))
    assert all(m.ephemeral for m in messages)
    assert not thread_ids(fake) and not fake.bot_messages(fake.general_id, public=True)
    question_message = next(m for m in messages if is_question(m))
    assert question_message.button("Answer")


async def test_unknown_topic_is_refused_privately_before_any_thread(fake: FakeDiscord, harness: BotHarness):
    alice = fake.user_named("alice")
    start = await fake.slash(alice, "interview start", topic="quantum knitting")
    (refusal,) = await replies_to(fake, start)
    assert refusal.ephemeral and "Unknown topic" in refusal.content
    assert not thread_ids(fake)


async def test_no_matching_question_leaves_no_empty_thread(fake: FakeDiscord, harness: BotHarness):
    alice = fake.user_named("alice")
    start = await fake.slash(alice, "interview start", topic="T07", difficulty="H")
    (refusal,) = await replies_to(fake, start)
    assert refusal.ephemeral and "No question matches" in refusal.content
    assert not thread_ids(fake)
    assert [c["name"] for c in fake.deleted_channels] == ["Interview · Alice"], "the opened thread is removed"


async def test_topic_and_persona_are_suggested_while_typing(fake: FakeDiscord, harness: BotHarness):
    alice = fake.user_named("alice")
    topics = await fake.autocomplete(alice, "interview start", "topic", "optim")
    assert [c["value"] for c in topics] == ["T07"]
    personas = await fake.autocomplete(alice, "interview start", "persona", "test")
    assert [c["value"] for c in personas] == ["tester"]
