"""Discord's limits in what the bot renders: long text split cleanly, verdicts within embed limits."""

from __future__ import annotations

from bot.coding import CaseVerdict, Verdict
from bot.exts._shared.code_blocks import extract_python_block, guess_task
from bot.exts._shared.text import split_message
from bot.exts.coding._render import verdict_embed
from bot.exts.interview._render import render_reply
from bot.interview.engine import Message, Reply
from tests.e2e.fake_discord.limits import message_problems


def test_long_text_is_split_at_line_breaks_within_2000_characters():
    lines = [f"- point number {i}: " + "word " * 12 for i in range(200)]
    chunks = split_message("\n".join(lines))
    assert len(chunks) > 1 and all(len(c) <= 2000 for c in chunks)
    assert [line.strip() for c in chunks for line in c.splitlines()] == [line.strip() for line in lines]


def test_a_split_inside_a_code_block_closes_and_reopens_the_fence():
    code = "```python\n" + "\n".join(f"x{i} = {i} * 2" for i in range(400)) + "\n```"
    chunks = split_message(code)
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk) <= 2000
        assert chunk.count("```") % 2 == 0, "each message must render its code block on its own"
    assert chunks[1].startswith("```python\n")


def test_a_long_report_becomes_several_private_messages_within_limits():
    report = "## Interview report\n" + "\n".join(f"### Q{i}\n> " + "why " * 60 for i in range(1, 21))
    reply = Reply(session_id=1, messages=(Message("feedback", "Good. Score: 4.0/5."), Message("closing", "Bye."),
                                          Message("report", report)),
                  actions=(), finished=True, report=None, question_number=20, total_questions=20, persona="Ada")
    parts = render_reply(reply)
    report_parts = [p for p in parts if "Q" in p.content and p.private]
    assert len(report_parts) > 1
    assert all(not message_problems({"content": p.content}) for p in parts)
    assert "".join(p.content for p in report_parts).count("### Q") == 20
    assert any(p.content == "**Ada:** Bye." and not p.private for p in parts)


def test_a_verdict_with_many_long_cases_fits_one_embed():
    cases = tuple(CaseVerdict(f"case {i}", i % 3 != 0, "x" * 2000) for i in range(60))
    verdict = Verdict(task="dropout", passed=False, status="failed", cases=cases, feedback="f" * 5000,
                      duration_ms=12.0)
    embed = verdict_embed(verdict).to_dict()
    assert message_problems({"embeds": [embed]}) == []
    assert embed["title"].startswith("❌") and "40/60 cases" in embed["title"]
    assert embed["fields"][-1]["name"].startswith("…")


def test_python_blocks_and_the_task_they_are_for():
    starters = {"dropout": "def dropout_forward(x, p, train, rng):\n    pass\ndef dropout_backward(dout, cache):\n    pass\n",
                "mlp": "def mlp_forward_backward(X, y, W1, b1, W2, b2):\n    pass\n"}
    text = "try this\n```python\ndef dropout_forward(x, p, train, rng):\n    return x, None\n" \
           "def dropout_backward(dout, cache):\n    return dout\n```"
    source = extract_python_block(text)
    assert source is not None and guess_task(source, starters) == "dropout"
    assert guess_task("# task: mlp\nprint(1)", starters) == "mlp"
    assert guess_task("def unrelated():\n    pass", starters) is None
    assert extract_python_block("no code here") is None
