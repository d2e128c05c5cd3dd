"""`export`: your answers and scores as CSV, and an Anki deck of your weakest questions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cli._user_data import add_who_arguments, load_user_data
from bot.wording import plural

CSV_NAME = "viva-answers.csv"
APKG_NAME = "viva-weakest.apkg"


def configure(parser: argparse.ArgumentParser) -> None:
    add_who_arguments(parser)
    parser.add_argument("--out", type=Path, default=Path("."), metavar="DIR",
                        help=f"folder to write {CSV_NAME} and {APKG_NAME} into (default: here)")


def run(args: argparse.Namespace) -> int:
    from bot.progress.export import NOTHING_TO_EXPORT, answers_phrase
    from bot.progress.service import export_for

    code, bundle = load_user_data(args, export_for)
    if bundle is None:
        return code
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / CSV_NAME).write_text(bundle.csv_text, encoding="utf-8")
        if bundle.apkg is not None:
            (args.out / APKG_NAME).write_bytes(bundle.apkg)
    except OSError as exc:
        print(f"viva: cannot write to {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    if not bundle.answers:
        print(NOTHING_TO_EXPORT.replace("start an interview", "start an interview with `viva practice`"))
    print(f"{args.out / CSV_NAME}: {answers_phrase(bundle)}")
    if bundle.apkg is not None:
        print(f"{args.out / APKG_NAME}: {plural(len(bundle.weak_questions), 'weakest question')} (import into Anki; "
              "importing a newer export updates the same cards)")
    else:
        print("no weak questions yet: no Anki deck written")
    return 0
