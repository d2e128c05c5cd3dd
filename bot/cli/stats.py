"""`stats`: your progress in the terminal (the same figures and chart as Discord's /stats).

Interview answers and study-session answers both count (a Discord member's, with --discord-id).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.cli._user_data import add_who_arguments, load_user_data

#: Study sessions run on Discord only; their answers show here with --discord-id.
TERMINAL_STUDY_HINT = "answer questions in a study session on Discord (see them here with --discord-id)"


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


def run(args: argparse.Namespace) -> int:
    from bot.progress.chart import render_progress_chart
    from bot.progress.service import stats_for
    from bot.progress.summary import render_markdown

    code, stats = load_user_data(args, stats_for)
    if stats is None:
        return code
    if args.chart:
        try:
            args.chart.write_bytes(render_progress_chart(stats))
        except OSError as exc:
            print(f"viva: cannot write the chart to {args.chart}: {exc.strerror}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(_jsonable(dataclasses.asdict(stats)), indent=2))
    else:
        print(render_markdown(stats, start_hint="viva practice", study_hint=TERMINAL_STUDY_HINT).replace("**", ""))
        if args.chart:
            print(f"\nChart written to {args.chart}")
    return 0
