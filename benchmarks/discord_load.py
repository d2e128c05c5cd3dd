"""Discord front-end load: many candidates at once through the real bot and the in-repo fake Discord.

Prints one `name: value unit (detail)` line per figure (DESIGN.md §6):
  ack_within_3s_pct      share of all interactions whose first response came within Discord's 3 s
  answer_reply_p95_ms    modal answer submitted -> the graded reply delivered, 100 candidates concurrently
  code_reply_p95_ms      /code submit with a file -> the verdict delivered, 20 submissions concurrently
  peak_rss_mb            peak resident memory of this process (bot + fake + grader model) and of the sandbox

Everything runs on 127.0.0.1 in one event loop: the fake Discord (REST + gateway), the bot built by the
production factory against a fresh SQLite file migrated by Alembic, the real grader and the real sandbox.

    python benchmarks/discord_load.py [--candidates 100] [--submissions 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from bot.config import Settings  # noqa: E402
from bot.discord_bot import VivaBot, create_bot  # noqa: E402
from tests.e2e.fake_discord import ACK_DEADLINE_S, FakeDiscord, InteractionRecord, SentMessage  # noqa: E402

WAIT_S = 600.0  # every wait is bounded: the benchmark always stops by itself
#: Candidates practise one topic, whose rubrics are warmed first: the grader embeds a question's rubric on
#: its first use (about a second on a busy 2-core machine), which a running bot has long done.
TOPIC = "T07"
GENERIC_ANSWER = ("I think it is about how the gradient flows back through the layers, and the learning rate "
                  "decides how big each update step is.")
THREAD_MENTION = re.compile(r"<#(\d+)>")
GOOD_DROPOUT = (REPO_ROOT / "tests" / "data" / "submissions" / "dropout_good.py").read_bytes()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def split_results(runs: list[float | BaseException]) -> tuple[list[float], str]:
    """Latencies of the runs that completed, and a note on those that failed (failures are not hidden)."""
    done = [r for r in runs if isinstance(r, float)]
    failed = [r for r in runs if not isinstance(r, float)]
    if not failed:
        return done or [float("nan")], ""
    return done or [float("nan")], f"; {len(failed)} FAILED, first: {failed[0]!r:.120}"


def settings_for(fake: FakeDiscord, db_url: str) -> Settings:
    return Settings(_env_file=None, discord_token="fake-token", database_url=db_url,  # type: ignore[call-arg]
                    discord_api_base=fake.api_base, discord_gateway_url=fake.gateway_url)


async def start_bot(settings: Settings) -> tuple[VivaBot, asyncio.Task[None]]:
    bot = create_bot(settings, guild_ready_timeout=0.05)
    task = asyncio.create_task(bot.start("fake-token"))
    deadline = time.monotonic() + WAIT_S
    while not bot.is_ready():
        if task.done():
            task.result()
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not become ready")
        await asyncio.sleep(0.01)
    return bot, task


def finished_replies(fake: FakeDiscord, record: InteractionRecord) -> list[SentMessage]:
    return [m for m in fake.messages_for(record) if not m.loading]


async def one_candidate(fake: FakeDiscord, user: dict, answers: dict[str, str]) -> float:
    """Start an interview, answer the first question by modal; return ms from submit to the graded reply."""
    start = await fake.slash(user, "interview start", topic=TOPIC, questions=2)
    pointer = (await fake.wait_until(lambda: finished_replies(fake, start), WAIT_S))[0]
    found = THREAD_MENTION.search(pointer.content)
    if found is None:
        raise RuntimeError(f"/interview start failed: {pointer.content}")
    thread_id = found[1]
    question = await fake.wait_for_bot_message(lambda m: bool(m.embeds), channel_id=thread_id, public=True,
                                               timeout=WAIT_S)
    prompt = question.embeds[0].get("description", "")
    opened = await fake.click(user, question, "Answer")
    assert opened.modal is not None, "the Answer button must open a modal"
    submitted_at = time.monotonic()
    record = await fake.submit_modal(user, opened.modal, answers.get(prompt, GENERIC_ANSWER))
    replies = await fake.wait_until(lambda: finished_replies(fake, record), WAIT_S)
    if "went wrong" in replies[0].content:
        raise RuntimeError(f"answer failed: {replies[0].content}")
    return (time.monotonic() - submitted_at) * 1000


async def one_submission(fake: FakeDiscord, user: dict) -> float:
    upload = fake.add_attachment("dropout.py", GOOD_DROPOUT)
    sent_at = time.monotonic()
    record = await fake.slash(user, "code submit", file=upload)
    replies = await fake.wait_until(lambda: [m for m in finished_replies(fake, record) if m.embeds], WAIT_S)
    if not replies[0].embeds[0]["title"].startswith("✅"):
        raise AssertionError(f"the good submission did not pass: {replies[0].embeds[0]['title']}")
    return (time.monotonic() - sent_at) * 1000


async def main_async(candidates: int, submissions: int) -> None:
    from bot.bank import load_bank
    from bot.storage.database import upgrade_database

    fake = FakeDiscord()
    users = [fake.add_user(f"candidate{i:03d}") for i in range(max(candidates, submissions))]
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{Path(tmp) / 'viva.db'}"
        await asyncio.to_thread(upgrade_database, db_url)
        settings = settings_for(fake, db_url)
        bank = load_bank(settings.content_dir)
        answers = {q.prompt: q.reference_answer for q in bank.questions.values()}
        bot, task = await start_bot(settings)
        try:
            # Load the model, embed the topic's rubrics and start the sandbox first: a deployed bot is warm.
            for question in bank.questions_for(topic=TOPIC):
                await asyncio.to_thread(bot.services.grader.grade, question, question.reference_answer)
            await one_submission(fake, users[0])

            answer_runs = await asyncio.gather(*(one_candidate(fake, u, answers) for u in users[:candidates]),
                                               return_exceptions=True)
            code_runs = await asyncio.gather(*(one_submission(fake, u) for u in users[:submissions]),
                                             return_exceptions=True)
        finally:
            await bot.close()
            await asyncio.gather(task, return_exceptions=True)
            await fake.stop()

    answer_ms, answer_errors = split_results(answer_runs)
    code_ms, code_errors = split_results(code_runs)
    acks = [r.ack_seconds for r in fake.interactions.values()]
    on_time = sum(1 for a in acks if a is not None and a < ACK_DEADLINE_S)
    worst = max((a for a in acks if a is not None), default=float("nan"))
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"ack_within_3s_pct: {100 * on_time / len(acks):.1f} % (n={len(acks)} interactions, slowest ack "
          f"{worst * 1000:.0f} ms)")
    print(f"answer_reply_p95_ms: {p95(answer_ms):.1f} ms (n={candidates} concurrent candidates, "
          f"p50 {statistics.median(answer_ms):.1f} ms, modal submit -> graded reply, topic {TOPIC} warm{answer_errors})")
    print(f"code_reply_p95_ms: {p95(code_ms):.1f} ms (n={submissions} concurrent submissions, "
          f"p50 {statistics.median(code_ms):.1f} ms, /code submit -> verdict{code_errors})")
    print(f"peak_rss_mb: {own_mb:.0f} MB (bot + fake + grader in one process; largest sandbox child "
          f"{children_mb:.0f} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--submissions", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main_async(args.candidates, args.submissions))
    return 0


if __name__ == "__main__":
    sys.exit(main())
