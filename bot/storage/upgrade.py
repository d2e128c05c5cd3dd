"""Running Alembic quietly, with failures as one line naming DATABASE_URL and what to do.

Alembic logs every step at INFO and reports an unreachable server or a database stamped by a newer
release as a traceback. `viva db upgrade` runs before every `practice` and `run`, so its output must
be silent when nothing changes and one actionable line when something fails.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy.engine import make_url

from bot.storage.errors import classify

_UNKNOWN_REVISION = re.compile(r"Can't locate revision identified by '([^']+)'")


def describe_url(url: str) -> str:
    """The database a URL names, without its password: a file path, or user@host:port/name."""
    from bot.storage.database import sqlite_path

    path = sqlite_path(url)
    if path is not None:
        return str(path)
    return make_url(url).render_as_string(hide_password=True).split("://", 1)[-1]


def run_upgrade(config: Any, url: str, revision: str = "head") -> list[str]:
    """`alembic upgrade` with its INFO logging silenced; returns the revisions it applied."""
    from alembic import command
    from alembic.util.exc import CommandError

    from bot.storage.database import DatabaseError

    applied: list[str] = []
    config.attributes["viva_applied"] = applied  # migrations/env.py records each applied revision here
    quiet = logging.getLogger("alembic")
    previous = quiet.level
    quiet.setLevel(logging.WARNING)
    where = describe_url(url)
    try:
        command.upgrade(config, revision)
    except CommandError as exc:
        unknown = _UNKNOWN_REVISION.search(str(exc))
        if unknown:
            raise DatabaseError(
                f"the database {where} was migrated by a newer version of Viva (revision {unknown[1]} is unknown "
                "here); upgrade Viva, or set DATABASE_URL to another database") from None
        raise DatabaseError(f"cannot migrate the database {where}: {exc}") from None
    except DatabaseError:
        raise
    except Exception as exc:
        problem = classify(exc)
        if problem is None:
            raise
        raise DatabaseError(
            f"cannot open the database {where}: {problem.reason} ({problem.detail}); "
            f"{_advice(problem.kind)}") from None
    finally:
        quiet.setLevel(previous)
    return applied


def _advice(kind: str) -> str:
    return {
        "unreachable": "check the host and port in DATABASE_URL and that the server is running",
        "auth": "check the user name and password in DATABASE_URL",
        "missing": "create the database, or fix its name in DATABASE_URL",
        "full": "free disk space where the database lives",
        "read_only": "make the database writable, or set DATABASE_URL to a writable place",
        "busy": "another process holds the database; try again, or use PostgreSQL for several processes",
        "corrupt": "restore the database from a backup, or set DATABASE_URL to a new file",
    }.get(kind, "check DATABASE_URL")
