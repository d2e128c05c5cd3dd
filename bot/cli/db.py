"""`db upgrade`: apply the Alembic migrations to DATABASE_URL."""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    sub.add_parser("upgrade", help="apply all migrations")


def run(args: argparse.Namespace) -> int:
    from bot.config import get_settings
    from bot.log import setup_logging
    from bot.storage.database import DatabaseError, sqlite_path, upgrade_database

    settings = get_settings()
    setup_logging(settings.log_level)
    try:
        upgrade_database(settings.database_url)
    except DatabaseError as exc:
        print(f"viva: {exc}", file=sys.stderr)
        return 2
    where = sqlite_path(settings.database_url) or settings.database_url.split("@")[-1]
    print(f"database {where} is up to date")
    return 0
