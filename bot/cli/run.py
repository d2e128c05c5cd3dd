"""`run`: start the Discord bot (DESIGN.md §2). Needs DISCORD_TOKEN; migrates the database first."""

from __future__ import annotations

import argparse
import asyncio
import sys

NO_TOKEN = ("viva run: DISCORD_TOKEN is not set; put your bot token in the environment or .env "
            "(DISCORD_TOKEN=...)")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sync", choices=["auto", "always", "never"],
                        help="when to register slash commands (default: DISCORD_SYNC_COMMANDS, auto = on change)")


def run(args: argparse.Namespace) -> int:
    from bot.config import get_settings

    settings = get_settings()
    if settings.discord_token is None or not settings.discord_token.get_secret_value().strip():
        print(NO_TOKEN, file=sys.stderr)
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

    import discord

    from bot.discord_bot import create_bot

    async def serve() -> None:
        bot = create_bot(settings)
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())  # type: ignore[union-attr]

    try:
        asyncio.run(serve())
    except discord.LoginFailure:
        print("viva run: Discord rejected DISCORD_TOKEN (login failed); check the token", file=sys.stderr)
        return 2
    return 0
