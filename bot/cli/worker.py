"""`worker [--queues code,grade]`: take code checks and/or grading jobs from Redis (docs/architecture.md §2, §7)."""

from __future__ import annotations

import argparse
import asyncio
import sys

KINDS = ("code", "grade")
NO_REDIS = ("viva worker: REDIS_URL is not set; workers take their jobs from Redis "
            "(e.g. REDIS_URL=redis://127.0.0.1:6379/0)")


def _queues(text: str) -> list[str]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in KINDS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"unknown queue {', '.join(unknown) or text!r}: use code, grade or code,grade")
    return list(dict.fromkeys(names))


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--queues", type=_queues, default=list(KINDS), metavar="code,grade",
                        help="which work to take (default: both)")


def run(args: argparse.Namespace) -> int:
    from bot.config import get_settings

    settings = get_settings()
    if not settings.redis_url:
        print(NO_REDIS, file=sys.stderr)
        return 2
    from bot.log import setup_logging
    from bot.work.queue import QueueUnavailable
    from bot.work.worker import serve

    setup_logging(settings.log_level)
    try:
        asyncio.run(serve(settings, args.queues))
    except QueueUnavailable as exc:
        print(f"viva worker: {exc}", file=sys.stderr)
        return 2
    return 0
