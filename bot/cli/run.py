"""`run`: start the Discord bot (docs/architecture.md §2). Needs DISCORD_TOKEN; migrates the database first."""

from __future__ import annotations

import argparse
import asyncio
import sys

NO_TOKEN = ("viva run: DISCORD_TOKEN is not set; put your bot token in the environment or .env "
            "(DISCORD_TOKEN=...)")


def _shard_ids(text: str) -> list[int]:
    try:
        ids = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of shard numbers, e.g. 0,1") from None
    if not ids or ids[0] < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: shard numbers start at 0, e.g. 0,1")
    return ids


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sync", choices=["auto", "always", "never"],
                        help="when to register slash commands (default: DISCORD_SYNC_COMMANDS, auto = on change)")
    parser.add_argument("--shard-ids", type=_shard_ids, metavar="IDS",
                        help="serve only these Discord shards (comma-separated, e.g. 0,1); needs --shard-count")
    parser.add_argument("--shard-count", type=int, metavar="N",
                        help="the total number of shards across all bot processes")


def shard_problem(shard_ids: list[int] | None, shard_count: int | None) -> str | None:
    """One line saying what is wrong with the shard options, or None."""
    if shard_ids is None and shard_count is None:
        return None
    if shard_ids is None or shard_count is None:
        return "--shard-ids and --shard-count go together, e.g. --shard-ids 0,1 --shard-count 4"
    if shard_count < 1:
        return f"--shard-count must be at least 1 (got {shard_count})"
    too_big = [i for i in shard_ids if i >= shard_count]
    if too_big:
        return f"shard {too_big[0]} does not exist with --shard-count {shard_count} (shards are 0..{shard_count - 1})"
    return None


def _probe_redis(url: str) -> str | None:
    from bot.work.queue import QueueUnavailable, connect

    async def probe() -> None:
        redis = await connect(url)
        await redis.aclose()

    try:
        asyncio.run(probe())
    except QueueUnavailable as exc:
        return str(exc)
    return None


def run(args: argparse.Namespace) -> int:
    from bot.config import get_settings

    settings = get_settings()
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
        return 2
    problem = shard_problem(args.shard_ids, args.shard_count)
    if problem is not None:
        print(f"viva run: {problem}", file=sys.stderr)
        return 2
    if args.sync:
        settings = settings.model_copy(update={"discord_sync_commands": args.sync})

    from bot.log import setup_logging
    from bot.storage.database import DatabaseError, upgrade_database

    setup_logging(settings.log_level)
    try:
        upgrade_database(settings.database_url)  # before the event loop: Alembic's env runs its own loop
    except DatabaseError as exc:
        print(f"viva run: {exc}", file=sys.stderr)
        return 2
    if settings.redis_url:
        problem = _probe_redis(settings.redis_url)
        if problem is not None:
            print(f"viva run: {problem}", file=sys.stderr)
            return 2

    import discord

    from bot.discord_bot import create_bot

    async def serve() -> None:
        bot = create_bot(settings, shard_ids=args.shard_ids, shard_count=args.shard_count)
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())  # type: ignore[union-attr]

    try:
        asyncio.run(serve())
    except discord.LoginFailure:
        print("viva run: Discord rejected DISCORD_TOKEN (login failed); check the token", file=sys.stderr)
        return 2
    return 0
