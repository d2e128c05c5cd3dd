"""What went wrong with the database, in words a person can act on: one classification for every caller.

Drivers report the same few conditions in many shapes (sqlite3 result codes, PostgreSQL SQLSTATEs,
socket errors, SQLAlchemy wrappers). `classify` maps any of them to a `StorageProblem`: a kind, a short
reason for users, and whether waiting can help. Front ends build their messages from it; the engine's
retry decides from `transient`; start-up turns it into one line and exit code 2.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

ProblemKind = Literal["full", "read_only", "busy", "unreachable", "auth", "missing", "io", "corrupt", "schema"]

#: reason shown to users, and whether the condition usually clears by itself
_KINDS: dict[str, tuple[str, bool]] = {
    "full": ("the server's database disk is full", True),
    "read_only": ("the server's database is read-only right now", True),
    "busy": ("the database is busy with another process", True),
    "unreachable": ("the database cannot be reached or opened", True),
    "auth": ("the database refused the bot's credentials", False),
    "missing": ("the database does not exist", False),
    "io": ("the server's disk reported an error", True),
    "corrupt": ("the database file is damaged", False),
    "schema": ("the database is not at the version this bot expects", False),
}

_SQLITE_NAMES: dict[str, ProblemKind] = {
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "read_only",
    "SQLITE_BUSY": "busy",
    "SQLITE_LOCKED": "busy",
    "SQLITE_IOERR": "io",
    "SQLITE_CANTOPEN": "unreachable",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_NOTADB": "corrupt",
    "SQLITE_PERM": "read_only",
}

#: PostgreSQL SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG_CODES: dict[str, ProblemKind] = {
    "53100": "full",  # disk_full
    "25006": "read_only",  # read_only_sql_transaction (a hot standby)
    "55P03": "busy",  # lock_not_available
    "40P01": "busy",  # deadlock_detected
    "40001": "busy",  # serialization_failure
    "53300": "busy",  # too_many_connections
    "57P03": "unreachable",  # cannot_connect_now (starting up)
    "57P01": "unreachable",  # admin_shutdown
    "28P01": "auth",  # invalid_password
    "28000": "auth",  # invalid_authorization_specification
    "3D000": "missing",  # invalid_catalog_name (unknown database)
    "42P01": "schema",  # undefined_table
    "58030": "io",  # io_error
}

_ERRNO: dict[int, ProblemKind] = {
    errno.ENOSPC: "full", errno.EDQUOT: "full", errno.EFBIG: "full", errno.EROFS: "read_only",
    errno.EACCES: "read_only", errno.EPERM: "read_only", errno.EIO: "io",
}


@dataclass(frozen=True)
class StorageProblem:
    kind: ProblemKind
    #: the driver's own words (no SQL, no parameters: those may hold a user's text)
    detail: str

    @property
    def reason(self) -> str:
        """A short clause for users: "the server's database disk is full"."""
        return _KINDS[self.kind][0]

    @property
    def transient(self) -> bool:
        """Whether the condition usually clears without a change to the configuration."""
        return _KINDS[self.kind][1]


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's DBAPIError keeps the driver's error here
        if isinstance(orig, BaseException) and id(orig) not in seen:
            yield from _chain(orig)
        current = current.__cause__ or current.__context__


def _detail(error: BaseException) -> str:
    # sqlite3 and asyncpg messages name the condition only; SQLAlchemy's str() adds the statement and
    # (unless hide_parameters) its parameters, so it is never used here.
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:200]


def classify(error: BaseException) -> StorageProblem | None:
    """The storage condition behind `error`, or None if it is not a database or disk problem."""
    for link in _chain(error):
        if isinstance(link, sqlite3.Error):
            name = getattr(link, "sqlite_errorname", "") or ""
            for prefix, kind in _SQLITE_NAMES.items():
                if name == prefix or name.startswith(prefix + "_"):
                    return StorageProblem(kind, _detail(link))
            message = str(link).lower()
            if "no such table" in message:
                return StorageProblem("schema", _detail(link))
            if "locked" in message:
                return StorageProblem("busy", _detail(link))
        code = getattr(link, "sqlstate", None) or getattr(link, "pgcode", None)
        if isinstance(code, str) and code in _PG_CODES:
            return StorageProblem(_PG_CODES[code], _detail(link))
        if isinstance(code, str) and code.startswith("08"):  # connection_exception class
            return StorageProblem("unreachable", _detail(link))
        if isinstance(link, ConnectionError | TimeoutError) or type(link).__name__ in (
                "ConnectionDoesNotExistError", "InterfaceError", "CannotConnectNowError"):
            return StorageProblem("unreachable", _detail(link))
        if isinstance(link, OSError) and link.errno in _ERRNO:
            return StorageProblem(_ERRNO[link.errno], _detail(link))
        if isinstance(link, socket.gaierror):  # the database host name does not resolve
            return StorageProblem("unreachable", _detail(link))
    return None


def is_busy(error: BaseException) -> bool:
    """True for lock contention that a retry after a short wait can get past."""
    problem = classify(error)
    return problem is not None and problem.kind == "busy"
