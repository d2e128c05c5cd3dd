"""`stats`: your interview progress in the terminal (the same figures and chart as Discord's /stats)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any


def add_who_arguments(parser: argparse.ArgumentParser) -> None:
    """Whose data: the terminal user (default: you), or a Discord user by id (for the bot's host)."""
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--user", help="terminal user name (default: your login name)")
    who.add_argument("--discord-id", help="a Discord user id, to read a Discord member's data")


def who_from(args: argparse.Namespace) -> tuple[str, str]:
    """(platform, external id) the arguments name."""
    if args.discord_id:
        return "discord", str(args.discord_id)
    if args.user:
        return "terminal", str(args.user)
    from bot.terminal import local_participant

    return "terminal", local_participant().external_id


def configure(parser: argparse.ArgumentParser) -> None:
    add_who_arguments(parser)
    parser.add_argument("--chart", type=Path, metavar="FILE", help="also write the progress chart (PNG) here")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


async def _load(settings: Any, platform: str, external_id: str) -> Any:
    from bot.bank.loader import load_bank
    from bot.progress.service import stats_for
    from bot.storage.database import create_engine, make_sessionmaker

    bank = await asyncio.to_thread(load_bank, settings.content_dir)
    engine = create_engine(settings.database_url)
    try:
        return await stats_for(make_sessionmaker(engine), bank, platform, external_id)
    finally:
        await engine.dispose()


def run(args: argparse.Namespace) -> int:
    from bot.bank.loader import ContentLoadError
    from bot.config import get_settings
    from bot.progress.chart import render_progress_chart
    from bot.progress.summary import render_markdown
    from bot.services import prepare_database
    from bot.storage.database import DatabaseError

    settings = get_settings()
    platform, external_id = who_from(args)
    try:
        prepare_database(settings)
        stats = asyncio.run(_load(settings, platform, external_id))
    except DatabaseError as exc:
        print(f"viva: {exc}", file=sys.stderr)
        return 2
    except ContentLoadError:
        print("viva: the question bank has errors (run `python -m bot content check`)", file=sys.stderr)
        return 1
    if args.chart:
        try:
            args.chart.write_bytes(render_progress_chart(stats))
        except OSError as exc:
            print(f"viva: cannot write the chart to {args.chart}: {exc.strerror}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(_jsonable(dataclasses.asdict(stats)), indent=2))
    else:
        print(render_markdown(stats, start_hint="viva practice").replace("**", ""))
        if args.chart:
            print(f"\nChart written to {args.chart}")
    return 0
