"""`export`: your answers and scores as CSV, and an Anki deck of your weakest questions."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.cli.stats import add_who_arguments, who_from

CSV_NAME = "viva-answers.csv"
APKG_NAME = "viva-weakest.apkg"


def configure(parser: argparse.ArgumentParser) -> None:
    add_who_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                        help=f"folder to write {CSV_NAME} and {APKG_NAME} into (default: here)")


async def _load(settings: Any, platform: str, external_id: str) -> Any:
    from bot.bank.loader import load_bank
    from bot.progress.service import export_for
    from bot.storage.database import create_engine, make_sessionmaker

    bank = await asyncio.to_thread(load_bank, settings.content_dir)
    engine = create_engine(settings.database_url)
    try:
        return await export_for(make_sessionmaker(engine), bank, platform, external_id)
    finally:
        await engine.dispose()


def run(args: argparse.Namespace) -> int:
    from bot.bank.loader import ContentLoadError
    from bot.config import get_settings
    from bot.services import prepare_database
    from bot.storage.database import DatabaseError

    settings = get_settings()
    platform, external_id = who_from(args)
    try:
        prepare_database(settings)
        bundle = asyncio.run(_load(settings, platform, external_id))
    except DatabaseError as exc:
        print(f"viva: {exc}", file=sys.stderr)
        return 2
    except ContentLoadError:
        print("viva: the question bank has errors (run `python -m bot content check`)", file=sys.stderr)
        return 1
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / CSV_NAME).write_text(bundle.csv_text, encoding="utf-8")
        if bundle.apkg is not None:
            (args.out / APKG_NAME).write_bytes(bundle.apkg)
    except OSError as exc:
        print(f"viva: cannot write to {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"{args.out / CSV_NAME}: {bundle.answers} answers")
    if bundle.apkg is not None:
        print(f"{args.out / APKG_NAME}: {len(bundle.weak_questions)} weakest questions (import into Anki; "
              "importing a newer export updates the same cards)")
    else:
        print("no weak questions yet: no Anki deck written")
    return 0
