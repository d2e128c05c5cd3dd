"""`practice`: a mock interview in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topic", help="topic id or name, e.g. T04 or 'activation'")
    parser.add_argument("--difficulty", help="E/M/H or easy/medium/hard")
    parser.add_argument("--persona", help="interviewer persona id")
    parser.add_argument("--questions", type=int, default=5, help="number of questions (default 5)")
    parser.add_argument("--mode", choices=("review", "new", "mixed"), default="mixed",
                        help="review: questions due again; new: unseen ones; mixed (default): both")
    parser.add_argument("--resume", action="store_true", help="continue your unfinished interview")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from bot.bank.loader import ContentLoadError
    from bot.config import get_settings
    from bot.grading.embedder import shared_embedder
    from bot.interview.engine import InterviewError, InterviewOptions
    from bot.log import setup_logging
    from bot.services import build_services, prepare_database
    from bot.storage.database import DatabaseError
    from bot.terminal import TerminalInterview, TerminalOptions, local_participant
    from bot.terminal_input import AnswerReader

    settings = get_settings()
    setup_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True)  # one error, one line, even when piped
    try:
        prepare_database(settings)
        services = build_services(settings)
    except DatabaseError as exc:
        err.print(f"viva: {exc}", markup=False)
        return 2
    except ContentLoadError as exc:
        err.print("viva: the question bank has errors (run `python -m bot content check`):", markup=False)
        for error in exc.errors[:10]:
            err.print(f"  {error}", markup=False)
        return 1

    options = TerminalOptions(
        interview=InterviewOptions(topic=args.topic, difficulty=args.difficulty, persona=args.persona,
                                   questions=args.questions, mode=args.mode),
        resume=args.resume,
    )

    def prompt(stage: str) -> None:
        if interactive and stage == "first":
            console.print("› ", end="", style="bold")

    reader = AnswerReader(sys.stdin.buffer, interactive=interactive,
                          warn=lambda text: err.print(f"warning: {text}", markup=False), prompt=prompt)
    with asyncio.Runner() as runner:
        if interactive:
            with console.status("Loading the grading model…"):
                shared_embedder().load()
        frontend = TerminalInterview(services.interviews, console, err, reader, runner, interactive=interactive)
        try:
            return frontend.run(local_participant(), options)
        except InterviewError as exc:
            err.print(f"viva: {exc}", markup=False)
            return 2
        except KeyboardInterrupt:
            err.print("\nInterview paused. Everything you answered is saved; "
                      "run `viva practice --resume` to continue.", markup=False)
            return 130
        finally:
            runner.run(services.close())
