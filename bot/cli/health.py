"""`health [--check db,redis]`: is this deployment ready? For container health checks and operators.

Checks what the configuration uses, each bounded by `--timeout`, one line each on stdout:
  db     DATABASE_URL answers and is migrated to the revision this Viva expects (a SQLite file is never
         created by the check: a missing file is "not ready", the bot creates it when it starts)
  redis  REDIS_URL answers PING (checked by default only when REDIS_URL is set)
Exit 0 when every check passes, 1 when one fails (2, as everywhere, for an invalid setting). A queue
worker has no database: check it with `--check redis`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable

CHECKS = ("db", "redis")
#: What a timed-out check names.
SUBJECTS = {"db": "database (DATABASE_URL)", "redis": "Redis (REDIS_URL)"}


def _checks(text: str) -> list[str]:
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in CHECKS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"unknown check {', '.join(unknown) or text!r}: use db, redis or db,redis")
    return list(dict.fromkeys(names))


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", type=_checks, metavar="db,redis",
                        help="what to check (default: db, and redis when REDIS_URL is set)")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="S", help="seconds per check (default 5)")


class NotReady(Exception):
    """A check failed; the message is one line saying what and what to do."""


async def check_database(url: str) -> str:
    """The database answers and is at this Viva's migration head; returns a one-line description."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from bot.storage.database import alembic_config, create_engine, sqlite_path
    from bot.storage.errors import classify
    from bot.storage.upgrade import describe_url

    where = describe_url(url)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise NotReady(f"no database file {path} (DATABASE_URL); `viva run` or `viva db upgrade` creates it")
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            try:
                rows = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
            except Exception as exc:
                problem = classify(exc)
                if problem is None or problem.kind != "schema":
                    raise
                rows = []
    except Exception as exc:
        problem = classify(exc)
        if problem is None:
            raise NotReady(f"database {where} (DATABASE_URL): {type(exc).__name__}: {exc}") from None
        raise NotReady(f"database {where} (DATABASE_URL): {problem.reason} ({problem.detail})") from None
    finally:
        await engine.dispose()
    current = set(rows)
    if current != heads:
        shown = ", ".join(sorted(current)) or "none (not migrated)"
        raise NotReady(f"database {where} is at revision {shown}, this Viva expects {', '.join(sorted(heads))}; "
                       "`viva db upgrade` (or starting the bot) migrates it")
    return f"database {where} at revision {', '.join(sorted(current))}"


async def check_redis(url: str | None) -> str:
    from bot.work.queue import QueueUnavailable, connect, describe

    if not url:
        raise NotReady("REDIS_URL is not set (e.g. REDIS_URL=redis://127.0.0.1:6379/0)")
    try:
        redis = await connect(url)
    except QueueUnavailable as exc:
        raise NotReady(str(exc)) from None
    await redis.aclose()
    return f"Redis {describe(url)} answers"


async def _bounded(name: str, check: Callable[[], Awaitable[str]], timeout_s: float) -> tuple[bool, str]:
    try:
        return True, await asyncio.wait_for(check(), timeout_s)
    except NotReady as exc:
        return False, str(exc)
    except TimeoutError:
        return False, f"{SUBJECTS[name]}: no answer within {timeout_s:g} s"


def run(args: argparse.Namespace) -> int:
    from bot.config import get_settings

    settings = get_settings()
    checks = args.check or (["db", "redis"] if settings.redis_url else ["db"])
    probes: dict[str, Callable[[], Awaitable[str]]] = {
        "db": lambda: check_database(settings.database_url),
        "redis": lambda: check_redis(settings.redis_url),
    }

    async def all_checks() -> list[tuple[bool, str]]:
        # A check cut off by --timeout can leave its driver's connect future failing later, unretrieved: that
        # failure is already reported as the timeout, so it is not printed again as a stray traceback.
        asyncio.get_running_loop().set_exception_handler(lambda _loop, _context: None)
        return [await _bounded(name, probes[name], args.timeout) for name in checks]

    results = asyncio.run(all_checks())
    for ok, line in results:
        print(f"{'ok' if ok else 'NOT READY'}: {line}", file=sys.stdout if ok else sys.stderr)
    return 0 if all(ok for ok, _ in results) else 1
