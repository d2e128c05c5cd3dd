"""The `viva` / `python -m bot` command line (docs/architecture.md §2, a contract).

Each command lives in its own module under bot/cli/ exposing `configure(parser)` and
`run(args) -> int`. Modules import heavy dependencies (torch, the embedding model, discord)
inside `run`, so `viva --help` and light commands stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: command name -> (module under bot.cli, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "start the Discord bot (needs DISCORD_TOKEN)"),
    "worker": ("worker", "take code checks and grading jobs from Redis (needs REDIS_URL)"),
    "practice": ("practice", "a mock interview in the terminal"),
    "grade-answer": ("grade_answer", "grade one answer against a bank question's rubric"),
    "eval-grader": ("eval_grader", "measure the grader on a CSV of human-graded answers"),
    "check-code": ("check_code", "check a coding-task submission in the sandbox"),
    "tasks": ("tasks", "list the coding tasks"),
    "content": ("content", "validate the question bank (content check)"),
    "db": ("db", "database maintenance (db upgrade)"),
    "health": ("health", "check the database and Redis are ready (exit 0) or not (exit 1)"),
    "stats": ("stats", "your interview progress: figures by topic, weakest points, a chart"),
    "export": ("export", "your answers as CSV and an Anki deck of your weakest questions"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="viva", description="Viva: mock deep-learning interviews.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(f"bot.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bot.cli.{module_name}":
                raise
            continue  # a command whose module is not written yet
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        module.configure(command_parser)
        command_parser.set_defaults(handler=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from bot.config import ConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"viva: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        # A database or disk failure outside a command's own handling: one line, never a traceback.
        from bot.storage.database import DatabaseError
        from bot.storage.errors import classify

        problem = classify(exc)
        if isinstance(exc, DatabaseError):
            print(f"viva: {exc}", file=sys.stderr)
        elif problem is not None and problem.kind == "busy":
            print(f"viva: {problem.reason} ({problem.detail}); try again, or use PostgreSQL "
                  "(DATABASE_URL=postgresql+asyncpg://...) when several processes share the database", file=sys.stderr)
        elif problem is not None:
            print(f"viva: {problem.reason} ({problem.detail}); check DATABASE_URL and the disk it is on",
                  file=sys.stderr)
        else:
            raise
        return 2
    except KeyboardInterrupt:
        print("\nviva: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
