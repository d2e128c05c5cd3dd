"""Shared by `stats` and `export`: whose data to read, and reading it from a migrated database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")
#: (sessionmaker, bank, platform, external id) -> the figures or files for that user
Fetch = Callable[[Any, Any, str, str], Awaitable[T]]


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


async def _load(settings: Any, fetch: Fetch[T], platform: str, external_id: str) -> T:
    from bot.bank.loader import load_bank
    from bot.storage.database import create_engine, make_sessionmaker

    bank = await asyncio.to_thread(load_bank, settings.content_dir)
    engine = create_engine(settings.database_url)
    try:
        return await fetch(make_sessionmaker(engine), bank, platform, external_id)
    finally:
        await engine.dispose()


def load_user_data(args: argparse.Namespace, fetch: Fetch[T]) -> tuple[int, T | None]:
    """(exit code, data): migrate the database, then fetch the named user's data; errors as one line."""
    from bot.bank.loader import ContentLoadError
    from bot.config import get_settings
    from bot.services import prepare_database
    from bot.storage.database import DatabaseError

    settings = get_settings()
    platform, external_id = who_from(args)
    try:
        prepare_database(settings)
        return 0, asyncio.run(_load(settings, fetch, platform, external_id))
    except DatabaseError as exc:
        print(f"viva: {exc}", file=sys.stderr)
        return 2, None
    except ContentLoadError:
        print("viva: the question bank has errors (run `python -m bot content check`)", file=sys.stderr)
        return 1, None
