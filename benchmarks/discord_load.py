"""Discord front-end load: many candidates at once through the real bot and the in-repo fake Discord.

Prints one `name: value unit (detail)` line per figure (docs/architecture.md §6):
  ack_within_3s_pct          share of all interactions whose first response came within Discord's 3 s
  answer_reply_p95_ms        modal answer submitted -> graded reply, 100 candidates at once, realistic answers
  answer_burst_throughput_per_s  graded replies per second while clearing that burst
  answer_reply_paced_p95_ms  the same 100 answers evenly spaced over 10 s (sustained load, not a burst)
  answer_reply_long_p95_ms   the burst with every candidate pasting the bank's full model answer (≈140 words)
  code_reply_p95_ms          /code submit with a file -> the verdict, 20 submissions at once
  peak_rss_mb                peak resident memory of the bot process (and, apart, of its sandbox processes)
  answer_burst_bot_cpu_ms_per_answer  CPU time the bot process spent per answer during the burst (all threads)
  answer_burst_encode_only_ms  the model alone encoding the burst's texts, after the bot stopped (nothing
                             else running): a floor under the burst's last graded reply on this machine
With Redis (--redis-url, else a private redis-server when one is installed), the same burst again with
REDIS_URL set and two `viva worker` processes doing the grading and code checks (README "Scaling out"):
  queue_enqueue_to_start_p50_ms / _p95_ms  the queue's own overhead: job submitted -> a worker starts it
                             (idle workers, one job at a time, straight through Redis)
  queued_answer_reply_p95_ms the burst of 100 answers through the bot with 2 workers (and its p50)
  queued_burst_bot_cpu_ms_per_answer  the bot process's CPU per answer when workers grade (target <= 10 ms)
  queued_bot_cpu_ms_per_answer_form / _submit  the same split in a second round: pressing Answer (the
                             form opens) apart from submitting it (enqueue, await, store, reply)
  burst_100_in_process_s / burst_100_two_workers_s / burst_two_workers_vs_in_process  side by side
  queued_code_reply_p95_ms   /code submit -> verdict with the sandbox in the workers
  worker_answers_per_core_s  answers graded per CPU-second of worker time in the burst (per worker core)
  worker_cores_for_burst_100_p95_1s  worker cores a burst of 100 needs for its p95 reply to be within 1 s
  queued_bot_peak_rss_mb     the bot process's peak memory when workers grade (no model loaded)
  worker_peak_rss_mb         a worker's peak memory (both queues, model loaded)
Grades are cached in Redis by rubric and answer for an hour, so a server that already holds Viva results
would skew the queued figures: the run refuses such a server (one line saying so) and deletes the results
it created when it ends.

The bot runs as deployed: `python -m bot run` in its own process, configured only through the environment
(DISCORD_API_BASE and DISCORD_GATEWAY_URL point it at the fake), with a fresh SQLite file, the real grader
and the real sandbox. This process plays Discord and the candidates; both share the machine's cores.
The candidates open their interviews together; once every question is out, all of them answer at the same
moment (the measured burst).

    python benchmarks/discord_load.py [--candidates 100] [--submissions 20] [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.e2e.fake_discord import ACK_DEADLINE_S, FakeDiscord, InteractionRecord, SentMessage  # noqa: E402

WAIT_S = 600.0  # every wait is bounded: the benchmark always stops by itself
TOPIC = "T07"
THREAD_MENTION = re.compile(r"<#(\d+)>")
GOOD_DROPOUT = (REPO_ROOT / "tests" / "data" / "submissions" / "dropout_good.py").read_bytes()
#: Realistic answers: the labelled dev set's candidate answers (excellent, partial, terse, misconceived,
#: keyword salad, off-topic), used in turn whatever the question, so most replies carry a follow-up.
DEV_ANSWERS = [row["student_answer"] for row in
               csv.DictReader((REPO_ROOT / "tests/data/grader_dev.csv").read_text(encoding="utf-8").splitlines())]
READY_LINE = "grader ready"
QUEUED_READY_LINE = "work queue ready"
WORKERS = 2
#: The paced round: the same 100 answers spread over this many seconds (10 answers a second).
PACED_SPREAD_S = 10.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def split_results(runs: Sequence[float | BaseException]) -> tuple[list[float], str]:
    """Latencies of the runs that completed, and a note on those that failed (failures are not hidden)."""
    done = [r for r in runs if isinstance(r, float)]
    failed = [r for r in runs if not isinstance(r, float)]
    if not failed:
        return done or [float("nan")], ""
    return done or [float("nan")], f"; {len(failed)} FAILED, first: {failed[0]!r:.120}"


def finished_replies(fake: FakeDiscord, record: InteractionRecord) -> list[SentMessage]:
    return [m for m in fake.messages_for(record) if not m.loading]


def words(texts: Sequence[str]) -> float:
    return statistics.mean(len(t.split()) for t in texts)


class BotProcess:
    """`python -m bot run` against the fake; its log is kept to tell readiness and to explain failures."""

    def __init__(self, fake: FakeDiscord, db_url: str, *, redis_url: str | None = None) -> None:
        self.fake = fake
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "REDIS_URL"}, "DISCORD_TOKEN": "fake-token",
            "DATABASE_URL": db_url, "LOG_LEVEL": "INFO",
            "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url,
            "DISCORD_SYNC_COMMANDS": "always", "HF_HUB_OFFLINE": "1",
        }
        self.ready_line = READY_LINE
        if redis_url:
            self.env["REDIS_URL"] = redis_url
            self.ready_line = QUEUED_READY_LINE
        self.process: asyncio.subprocess.Process | None = None
        self.log: list[str] = []
        self.ready = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=REPO_ROOT, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read_log())

    async def _read_log(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        async for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.log.append(line)
            if self.ready_line in line:
                self.ready.set()

    async def wait_ready(self) -> None:
        waiter = asyncio.create_task(self.ready.wait())
        assert self.process is not None
        exited = asyncio.create_task(self.process.wait())
        done, _ = await asyncio.wait({waiter, exited}, timeout=WAIT_S, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        exited.cancel()
        if not self.ready.is_set():
            tail = "\n".join(self.log[-20:])
            raise RuntimeError(f"the bot did not get ready ({'exited' if exited in done else 'timeout'}):\n{tail}")
        # With workers the ready line comes before the bot connects (no model to warm): wait for the gateway,
        # then for discord.py's guild-ready wait (2 s) to pass.
        deadline = time.monotonic() + WAIT_S
        while not self.fake.connected:
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError("the bot did not connect to the fake gateway:\n" + "\n".join(self.log[-20:]))
            await asyncio.sleep(0.1)
        await asyncio.sleep(3)

    def cpu_seconds(self) -> float:
        """User and system CPU time of the bot process so far, all its threads."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_mb(self) -> tuple[float, float]:
        """VmHWM of the bot process, and the largest VmHWM among its descendants (sandbox processes)."""
        assert self.process is not None
        own = _vm_hwm_kb(self.process.pid)
        children = [_vm_hwm_kb(pid) for pid in _descendants(self.process.pid)]
        return own / 1024, max(children, default=0) / 1024

    async def stop(self) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self.process.wait(), 60)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


def cpu_seconds_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _vm_hwm_kb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(kids)
            pending.extend(kids)
    return found


async def open_interview(fake: FakeDiscord, user: dict) -> SentMessage:
    """`/interview start` in the server; returns the question posted in the candidate's new thread."""
    start = await fake.slash(user, "interview start", topic=TOPIC, questions=2)
    pointer = (await fake.wait_until(lambda: finished_replies(fake, start), WAIT_S))[0]
    found = THREAD_MENTION.search(pointer.content)
    if found is None:
        raise RuntimeError(f"/interview start failed: {pointer.content}")
    return await fake.wait_for_bot_message(lambda m: bool(m.embeds), channel_id=found[1], public=True,
                                           timeout=WAIT_S)


async def answer_question(fake: FakeDiscord, user: dict, question: SentMessage, answer: str) -> float:
    """Press Answer, submit the modal; return ms from the submit to the graded reply."""
    opened = await fake.click(user, question, "Answer")
    assert opened.modal is not None, "the Answer button must open a modal"
    submitted_at = time.monotonic()
    record = await fake.submit_modal(user, opened.modal, answer)
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


async def answer_round(
    fake: FakeDiscord, bot: BotProcess, users: list[dict], answers: Sequence[str], *, spread_s: float = 0.0
) -> tuple[list[float | BaseException], float, float]:
    """Every candidate opens an interview; once all questions are out, all answer at the same moment, or
    evenly spaced over `spread_s` seconds. Returns the runs, the seconds until the last reply and the bot's
    CPU seconds meanwhile."""
    questions = await asyncio.gather(*(open_interview(fake, u) for u in users), return_exceptions=True)
    runs: list[float | BaseException] = [q for q in questions if isinstance(q, BaseException)]
    ready = [(u, q) for u, q in zip(users, questions, strict=True) if not isinstance(q, BaseException)]

    async def answer_at(i: int, user: dict, question: SentMessage) -> float:
        await asyncio.sleep(i * spread_s / max(len(ready), 1))
        return await answer_question(fake, user, question, answers[i % len(answers)])

    started, cpu_before = time.monotonic(), bot.cpu_seconds()
    runs += await asyncio.gather(*(answer_at(i, u, q) for i, (u, q) in enumerate(ready)), return_exceptions=True)
    return runs, time.monotonic() - started, bot.cpu_seconds() - cpu_before


async def form_then_answer_cpu(fake: FakeDiscord, bot: BotProcess, users: list[dict],
                               answers: Sequence[str]) -> tuple[float, float, int]:
    """The bot's CPU seconds for opening the answer forms (every candidate presses Answer at once), and apart
    for the answers themselves (every form submitted at once, until the last graded reply); and how many
    answers were graded. Each answer ends with a run nonce, so no grade comes from the queue's cache."""
    questions = await asyncio.gather(*(open_interview(fake, u) for u in users))
    nonce = os.urandom(4).hex()
    before_forms = bot.cpu_seconds()
    opened = await asyncio.gather(*(fake.click(u, q, "Answer") for u, q in zip(users, questions, strict=True)))
    before_answers = bot.cpu_seconds()

    async def submit(user: dict, form: InteractionRecord, answer: str) -> None:
        assert form.modal is not None, "the Answer button must open a modal"
        record = await fake.submit_modal(user, form.modal, answer)
        replies = await fake.wait_until(lambda: finished_replies(fake, record), WAIT_S)
        if "went wrong" in replies[0].content:
            raise RuntimeError(f"answer failed: {replies[0].content}")

    await asyncio.gather(*(submit(u, form, f"{answers[i % len(answers)]} ({nonce})")
                           for i, (u, form) in enumerate(zip(users, opened, strict=True))))
    return before_answers - before_forms, bot.cpu_seconds() - before_answers, len(users)


def encode_only_ms(answers: Sequence[str]) -> tuple[float, int, int]:
    """Best of three: the encoder (the bot's, with its passes and thread setting) encoding every text that
    grading `answers` sends it, in one request and with no grading. Returns (ms, texts, tokens)."""
    from bot.grading.embedder import shared_embedder
    from bot.grading.grader import model_inputs

    embedder = shared_embedder()
    texts = [t for answer in answers for t in model_inputs(answer)]
    outputs = embedder.encode_tokens(texts)  # loads the model; also the warm-up pass
    tokens = sum(len(out.pieces) + 2 for out in outputs)  # [CLS] and [SEP] count
    timings = []
    for _ in range(3):
        begun = time.perf_counter()
        embedder.encode_tokens(texts)
        timings.append((time.perf_counter() - begun) * 1000)
    return min(timings), len(texts), tokens


class WorkerProcesses:
    """`viva worker` processes (code and grade) on one Redis, with their CPU time for the capacity figures."""

    def __init__(self, redis_url: str, count: int, folder: Path) -> None:
        env = {**os.environ, "REDIS_URL": redis_url, "LOG_LEVEL": "INFO", "HF_HUB_OFFLINE": "1"}
        env.pop("DATABASE_URL", None)
        env.pop("DISCORD_TOKEN", None)
        self.logs = [folder / f"worker{i}.log" for i in range(count)]
        self.processes = [
            subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=REPO_ROOT, env=env,
                                           stdout=log.open("w"), stderr=subprocess.STDOUT)
            for log in self.logs]

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + WAIT_S
        while not all("worker ready" in log.read_text(errors="replace") for log in self.logs):
            if any(p.poll() is not None for p in self.processes) or time.monotonic() > deadline:
                raise RuntimeError("a worker did not start:\n" + "\n".join(log.read_text()[-2000:] for log in self.logs))
            await asyncio.sleep(0.2)

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds_of(p.pid) for p in self.processes)

    def peak_rss_mb(self) -> float:
        """The largest VmHWM among the worker processes (model loaded, every rubric embedded)."""
        return max(_vm_hwm_kb(p.pid) for p in self.processes) / 1024

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(30)
            except Exception:
                process.kill()


async def queue_overhead_ms(redis_url: str, bank: object, n: int = 100) -> list[float]:
    """Enqueue-to-start of `n` grading jobs sent one after another to idle workers. The texts carry this run's
    nonce: a grade cached by an earlier run would come back without a worker ever starting it."""
    from bot.work.queue import WorkQueue, connect
    from bot.work.remote import QueuedGrading

    queue = WorkQueue(await connect(redis_url))
    grading = QueuedGrading(queue, queue_limit=10_000)
    question = next(iter(bank.questions_for(topic=TOPIC)))  # type: ignore[attr-defined]
    nonce = os.urandom(4).hex()
    try:
        for i in range(n):
            await grading.grade(question, f"{DEV_ANSWERS[i % len(DEV_ANSWERS)]} (overhead probe {nonce}-{i})")
    finally:
        await queue.close()
    if len(grading.timings.queued_ms) != n:
        raise RuntimeError(f"only {len(grading.timings.queued_ms)} of {n} probe jobs reported when they started")
    return grading.timings.queued_ms


#: Keys under which workers leave results (bot/work/queue.py): the run's own, deleted when it ends.
RESULT_PATTERNS = ("viva:result:*", "viva:done:*")


async def viva_results(redis_url: str, *, delete: bool = False) -> int:
    """How many Viva results the server holds (and, with `delete`, delete them)."""
    from bot.work.queue import connect

    redis = await connect(redis_url)
    try:
        keys = [key for pattern in RESULT_PATTERNS async for key in redis.scan_iter(match=pattern, count=1000)]
        if delete and keys:
            await redis.delete(*keys)
        return len(keys)
    finally:
        await redis.aclose()


async def queued_rounds(fake: FakeDiscord, bank: object, users: list[dict], split_users: list[dict],
                        code_users: list[dict], tmp: Path, redis_url: str | None) -> dict[str, object] | str:
    """The burst with REDIS_URL set and WORKERS workers; a reason string when no usable Redis is available."""
    import shutil

    from bot.work.queue import QueueUnavailable, describe
    from tests.support.redis_server import RedisServer

    server = None
    if redis_url is None and shutil.which("redis-server"):
        server = RedisServer(tmp)
        redis_url = server.url
    if not redis_url:
        return "no --redis-url given and no redis-server installed"
    try:
        stale = await viva_results(redis_url)
    except QueueUnavailable as exc:
        return str(exc)
    if stale:
        return (f"Redis at {describe(redis_url)} already holds {stale} Viva results (kept 1 h); cached grades would "
                "skew the figures: use an empty database, e.g. redis://127.0.0.1:6379/15")
    workers = WorkerProcesses(redis_url, WORKERS, tmp)
    bot = BotProcess(fake, f"sqlite+aiosqlite:///{tmp / 'queued.db'}", redis_url=redis_url)
    try:
        await workers.wait_ready()
        overhead = await queue_overhead_ms(redis_url, bank)
        await bot.start()
        await bot.wait_ready()
        await one_submission(fake, code_users[0])  # the workers' sandboxes start
        worker_cpu_before = workers.cpu_seconds()
        runs, burst_s, bot_cpu_s = await answer_round(fake, bot, users, DEV_ANSWERS)
        worker_cpu_s = workers.cpu_seconds() - worker_cpu_before
        code_runs = await asyncio.gather(*(one_submission(fake, u) for u in code_users[1:]), return_exceptions=True)
        forms_cpu_s, answers_cpu_s, split_n = await form_then_answer_cpu(fake, bot, split_users, DEV_ANSWERS)
        bot_mb, _ = bot.peak_rss_mb()
        worker_mb = workers.peak_rss_mb()
    finally:
        await bot.stop()
        workers.stop()
        if server is not None:
            server.stop()
        else:
            await viva_results(redis_url, delete=True)
    return {"overhead": overhead, "runs": runs, "burst_s": burst_s, "bot_cpu_s": bot_cpu_s,
            "worker_cpu_s": worker_cpu_s, "code_runs": code_runs, "bot_mb": bot_mb, "log": bot.log,
            "forms_cpu_s": forms_cpu_s, "answers_cpu_s": answers_cpu_s, "split_n": split_n, "worker_mb": worker_mb,
            "redis": describe(redis_url) + (" (a private redis-server)" if server is not None else "")}


#: The target of the capacity figure: a burst of this many answers, its p95 reply within this many seconds.
BURST_TARGET = 100
P95_TARGET_S = 1.0


def cores_for_burst(per_core: float, overhead_p95_ms: float, bot_cpu_ms: float) -> tuple[float, str]:
    """Worker cores for the 95th of BURST_TARGET answers to be graded within P95_TARGET_S.

    The bot and the workers work as a pipeline: the 95th answer is done after about
    max(95 x bot CPU per answer, 95 / (cores x answers per core-second)) plus the queue's own p95 delay. So
    cores = 95 / (answers per core-second x (1 s - queue p95)), provided one bot process can hand out 95
    answers within that time (else it needs more shards, whatever the worker count). A floor: it assumes
    answers per core-second stay as measured when the burst is split over more workers (fewer answers per
    worker share fewer forward passes)."""
    needed = 0.95 * BURST_TARGET
    budget_s = P95_TARGET_S - overhead_p95_ms / 1000
    if per_core != per_core or per_core <= 0 or budget_s <= 0:
        return float("nan"), "no budget left after the queue's overhead"
    bot_s = needed * bot_cpu_ms / 1000
    note = (f"one bot process needs {bot_s:.2f} CPU s to hand out {needed:.0f} answers: "
            + ("within budget" if bot_s <= budget_s else "over budget, add shards (bot processes) as well"))
    return needed / (per_core * budget_s), note


def print_queued(queued: dict[str, object] | str, in_process_burst_s: float, candidates: int) -> None:
    if isinstance(queued, str):
        print(f"queued_answer_reply_p95_ms: nan ms (skipped: {queued})")
        return
    overhead = queued["overhead"]
    answer_ms, errors = split_results(queued["runs"])  # type: ignore[arg-type]
    code_ms, code_errors = split_results(queued["code_runs"])  # type: ignore[arg-type]
    burst_s, bot_cpu_s, worker_cpu_s = (float(queued[k]) for k in ("burst_s", "bot_cpu_s", "worker_cpu_s"))  # type: ignore[arg-type]
    graded = len([r for r in queued["runs"] if isinstance(r, float)])  # type: ignore[attr-defined]
    per_core = graded / worker_cpu_s if worker_cpu_s > 0 else float("nan")
    bot_ms = 1000 * bot_cpu_s / max(graded, 1)
    overhead_p95 = p95(overhead)  # type: ignore[arg-type]
    cores, cores_note = cores_for_burst(per_core, overhead_p95, bot_ms)
    print(f"queue_enqueue_to_start_p50_ms: {statistics.median(overhead):.1f} ms (n={len(overhead)} grading jobs one "  # type: ignore[arg-type]
          f"at a time to {WORKERS} idle workers: submitted in this process -> started in a worker; Redis "
          f"{queued['redis']})")
    print(f"queue_enqueue_to_start_p95_ms: {overhead_p95:.1f} ms (the same jobs; a worker polls every 20 ms)")
    print(f"queued_answer_reply_p95_ms: {p95(answer_ms):.1f} ms (n={candidates} candidates at once, p50 "
          f"{statistics.median(answer_ms):.1f} ms; REDIS_URL set, {WORKERS} `viva worker` processes grade{errors})")
    print(f"queued_burst_bot_cpu_ms_per_answer: {bot_ms:.1f} ms (the bot process, all threads, when workers "
          f"grade: {bot_cpu_s:.2f} CPU s for {graded} answers over {burst_s:.2f} s; target <= 10 ms: "
          f"{'met' if bot_ms <= 10 else 'NOT met'})")
    split_n = int(queued["split_n"])  # type: ignore[call-overload]
    forms_ms = 1000 * float(queued["forms_cpu_s"]) / split_n  # type: ignore[arg-type]
    answers_ms = 1000 * float(queued["answers_cpu_s"]) / split_n  # type: ignore[arg-type]
    print(f"queued_bot_cpu_ms_per_answer_form: {forms_ms:.1f} ms (the part of the figure above spent opening the "
          f"answer form: {split_n} candidates press Answer at once, a second round)")
    print(f"queued_bot_cpu_ms_per_answer_submit: {answers_ms:.1f} ms (the rest: the same {split_n} forms submitted "
          f"at once -> enqueue, await the grade, store, reply)")
    print(f"burst_100_in_process_s: {in_process_burst_s:.2f} s (the in-process burst above, first answer -> last "
          f"reply)")
    print(f"burst_100_two_workers_s: {burst_s:.2f} s (the same burst with {WORKERS} workers on the same "
          f"{os.cpu_count()} cores as the bot, the fake Discord and the candidates)")
    print(f"burst_two_workers_vs_in_process: {in_process_burst_s / burst_s:.2f} x (in-process time / two-worker "
          f"time, >1 = workers faster; on one {os.cpu_count()}-core machine expect parity: the workers share "
          f"the bot's cores)")
    print(f"queued_code_reply_p95_ms: {p95(code_ms):.1f} ms (n={len(code_ms)} concurrent submissions, p50 "
          f"{statistics.median(code_ms):.1f} ms, sandbox in the workers{code_errors})")
    print(f"worker_answers_per_core_s: {per_core:.1f} answers/s per worker core ({graded} answers graded with "
          f"{worker_cpu_s:.2f} CPU s of worker time, both workers' processes, idle polling included)")
    print(f"worker_cores_for_burst_100_p95_1s: {cores:.1f} cores (95 answers / ({per_core:.1f} answers per "
          f"core-second x (1 s - queue p95 {overhead_p95:.0f} ms)); a floor; {cores_note})")
    print(f"queued_bot_peak_rss_mb: {float(queued['bot_mb']):.0f} MB (the bot process when workers grade: no "  # type: ignore[arg-type]
          "model loaded)")
    print(f"worker_peak_rss_mb: {float(queued['worker_mb']):.0f} MB (the larger of the two `viva worker` processes, "  # type: ignore[arg-type]
          "code and grade queues: model loaded, every rubric embedded)")


async def main_async(candidates: int, submissions: int, redis_url: str | None) -> None:
    from bot.bank import load_bank
    from bot.config import Settings

    bank = load_bank(Settings(_env_file=None).content_dir)  # type: ignore[call-arg]
    model_answers = [q.reference_answer for q in bank.questions_for(topic=TOPIC)]
    fake = FakeDiscord()
    users = [fake.add_user(f"candidate{i:03d}") for i in range(5 * candidates + 2 * submissions + 1)]
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, f"sqlite+aiosqlite:///{Path(tmp) / 'viva.db'}")
        started = time.monotonic()
        await bot.start()
        try:
            await bot.wait_ready()
            ready_s = time.monotonic() - started
            await one_submission(fake, users[0])  # starts the sandbox: a deployed bot is warm
            realistic, burst_s, burst_cpu_s = await answer_round(fake, bot, users[:candidates], DEV_ANSWERS)
            long, _, _ = await answer_round(fake, bot, users[candidates : 2 * candidates], model_answers)
            paced, _, _ = await answer_round(fake, bot, users[2 * candidates : 3 * candidates], DEV_ANSWERS,
                                             spread_s=PACED_SPREAD_S)
            code_runs = await asyncio.gather(
                *(one_submission(fake, u) for u in users[3 * candidates : 3 * candidates + submissions]),
                return_exceptions=True)
            bot_mb, sandbox_mb = bot.peak_rss_mb()
        finally:
            await bot.stop()
        try:
            offset = 3 * candidates + submissions
            queued = await queued_rounds(fake, bank, users[offset : offset + candidates],
                                         users[offset + candidates : offset + 2 * candidates],
                                         users[offset + 2 * candidates :], Path(tmp), redis_url)
        finally:
            await fake.stop()

    burst_answers = [DEV_ANSWERS[i % len(DEV_ANSWERS)] for i in range(candidates)]
    floor_ms, floor_texts, floor_tokens = encode_only_ms(burst_answers)
    errors = [i for i, line in enumerate(bot.log) if "ERROR" in line]
    if errors:  # the bot's own account of what failed, after the figures' failure notes
        first = errors[0]
        print("\n".join(["bot log around its first error:", *bot.log[first : first + 40]]), file=sys.stderr)
    answer_ms, answer_errors = split_results(realistic)
    long_ms, long_errors = split_results(long)
    paced_ms, paced_errors = split_results(paced)
    code_ms, code_errors = split_results(code_runs)
    acks = [r.ack_seconds for r in fake.interactions.values()]
    on_time = sum(1 for a in acks if a is not None and a < ACK_DEADLINE_S)
    worst = max((a for a in acks if a is not None), default=float("nan"))
    print(f"ack_within_3s_pct: {100 * on_time / len(acks):.1f} % (n={len(acks)} interactions, slowest ack "
          f"{worst * 1000:.0f} ms)")
    print(f"answer_reply_p95_ms: {p95(answer_ms):.1f} ms (n={candidates} candidates at once, p50 "
          f"{statistics.median(answer_ms):.1f} ms, modal submit -> graded reply; dev-set answers, mean "
          f"{words(DEV_ANSWERS):.0f} words{answer_errors})")
    print(f"answer_burst_throughput_per_s: {len(answer_ms) / burst_s:.1f} answers/s (the burst above: "
          f"{len(answer_ms)} graded replies in {burst_s:.1f} s)")
    print(f"answer_burst_bot_cpu_ms_per_answer: {1000 * burst_cpu_s / max(len(answer_ms), 1):.1f} ms (the bot "
          f"process, all threads: {burst_cpu_s:.2f} CPU s over the burst's {burst_s:.2f} s on {os.cpu_count()} cores)")
    print(f"answer_burst_encode_only_ms: {floor_ms:.1f} ms (the model alone on the burst's {floor_texts} sentences "
          f"and clauses, {floor_tokens} tokens, best of 3 after the bot stopped; {floor_tokens / floor_ms * 1000:.0f} "
          f"tokens/s)")
    print(f"answer_reply_paced_p95_ms: {p95(paced_ms):.1f} ms (n={candidates} candidates, answers evenly spaced over "
          f"{PACED_SPREAD_S:.0f} s, p50 {statistics.median(paced_ms):.1f} ms; dev-set answers{paced_errors})")
    print(f"answer_reply_long_p95_ms: {p95(long_ms):.1f} ms (n={candidates} candidates at once, p50 "
          f"{statistics.median(long_ms):.1f} ms; full model answers, mean {words(model_answers):.0f} words"
          f"{long_errors})")
    print(f"code_reply_p95_ms: {p95(code_ms):.1f} ms (n={submissions} concurrent submissions, "
          f"p50 {statistics.median(code_ms):.1f} ms, /code submit -> verdict{code_errors})")
    print_queued(queued, burst_s, candidates)
    print(f"peak_rss_mb: {bot_mb:.0f} MB (the bot process, model loaded and every rubric embedded; "
          f"largest sandbox process {sandbox_mb:.0f} MB; bot ready {ready_s:.1f} s after start)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--redis-url", help="the Redis for the queued round (default: a private redis-server "
                        "when one is installed; the database must hold no Viva results)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(main_async(args.candidates, args.submissions, args.redis_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
