"""`db upgrade`: apply the Alembic migrations to DATABASE_URL (silent when already up to date)."""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    sub.add_parser("upgrade", help="apply all migrations")


def run(args: argparse.Namespace) -> int:
    from bot.config import get_settings
    from bot.log import setup_logging
    from bot.storage.database import DatabaseError, upgrade_database
    from bot.storage.upgrade import describe_url

    settings = get_settings()
    setup_logging(settings.log_level)
    try:
        applied = upgrade_database(settings.database_url)
    except DatabaseError as exc:
        print(f"viva: {exc}", file=sys.stderr)
        return 2
    if applied:  # silent when nothing changed: `make practice` runs this before every interview
        print(f"database {describe_url(settings.database_url)}: applied {len(applied)} migration(s), "
              f"now at {applied[-1]}")
    return 0
