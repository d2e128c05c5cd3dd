"""`python -m bot check-code TASK FILE [--json]`: check a submission in the sandbox (docs/architecture.md §2 contract).

Exit 0 when it passes, 1 when it does not, 2 on a usage error (unknown task, unreadable file) or
when the sandbox cannot run here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.coding import Verdict
    from bot.config import Settings

#: what the CLI's jobs are queued under (the Discord bot uses the member's id)
CLI_USER_KEY = "cli"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", metavar="TASK", help="task slug (see `viva tasks`)")
    parser.add_argument("file", metavar="FILE", help="the Python file to check")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seed", type=int, default=None,
                        help="draw the cases from this seed (a failed verdict names its seed); default: a fresh one")


def _fail(message: str) -> int:
    print(f"viva check-code: {message}", file=sys.stderr)
    return 2


def _read_source(path: Path) -> str:
    data = path.read_bytes()
    return data.decode("utf-8")


def render_text(verdict: Verdict) -> str:
    """The verdict as a short terminal report: a header, one line per case, the feedback."""
    lines = [f"{verdict.task}: {verdict.status.upper()} "
             f"({verdict.passed_count}/{len(verdict.cases)} cases, {verdict.duration_ms:.0f} ms)"]
    for case in verdict.cases:
        mark = "ok  " if case.passed else "FAIL"
        lines.append(f"  {mark} {case.name}: {case.message}")
    lines.append("")
    lines.append(verdict.feedback)
    if verdict.stdout.strip():
        lines += ["", "--- your code printed ---", verdict.stdout.rstrip()]
    return "\n".join(lines)


async def _check(task: str, source: str, settings: Settings, seed: int | None = None) -> Verdict:
    from bot.coding import check_submission
    from bot.services import code_runner_for

    runner = code_runner_for(settings)
    try:
        return await check_submission(task, source, runner, user_key=CLI_USER_KEY,
                                      tasks_dir=settings.coding_tasks_dir, seed=seed)
    finally:
        await runner.close()


def run(args: argparse.Namespace) -> int:
    from bot.coding import load_tasks
    from bot.config import get_settings
    from bot.sandbox import IsolationUnavailable

    settings = get_settings()
    tasks = load_tasks(settings.coding_tasks_dir)
    if args.task not in tasks:
        known = ", ".join(sorted(tasks)) or "none"
        return _fail(f"unknown task {args.task!r} (known tasks: {known})")
    path = Path(args.file)
    try:
        source = _read_source(path)
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror or exc}")
    except UnicodeDecodeError:
        return _fail(f"cannot read {path}: not UTF-8 text")
    try:
        verdict = asyncio.run(_check(args.task, source, settings, getattr(args, "seed", None)))
    except IsolationUnavailable as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(verdict.to_json(), ensure_ascii=False))
    else:
        print(render_text(verdict))
    return 0 if verdict.passed else 1
