"""Engine and session factory, SQLite pragmas, and Alembic upgrades."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot import PROJECT_ROOT
from bot.storage.sqlite_driver import clear_begin, defer_begin, one_trip

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


class DatabaseError(Exception):
    """The database cannot be opened or written; the message says what to do."""


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def ensure_database_location(url: str) -> None:
    """Create the SQLite file's directory and check it is writable, with a message a person can act on."""
    path = sqlite_path(url)
    if path is None:
        return
    hint = "set DATABASE_URL to a writable place, e.g. sqlite+aiosqlite:////tmp/viva.db"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(f"cannot create the database directory {path.parent}: {exc.strerror}; {hint}") from None
    try:
        # sqlite3 (stdlib) opens the file the same way aiosqlite will, so permission problems show up here.
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA user_version")
        connection.execute("CREATE TABLE IF NOT EXISTS _viva_write_check (x INTEGER)")
        connection.execute("DROP TABLE _viva_write_check")
        connection.close()
    except sqlite3.Error as exc:
        raise DatabaseError(f"cannot write the database {path}: {exc}; {hint}") from None


#: How long a connection waits for another connection's (or process's) write lock before giving up.
#: Transactions are short (grading runs outside them), so a long wait only happens under heavy load from
#: several processes on one file; waiting is better than losing the answer to "database is locked".
BUSY_TIMEOUT_MS = 30_000
#: WAL pages after which a commit checkpoints the log into the database file (SQLite's default, chosen
#: explicitly): a bounded WAL keeps reads fast and recovery after a crash short.
WAL_AUTOCHECKPOINT_PAGES = 1000
#: The WAL file is truncated back to this size after a checkpoint, so a burst does not keep its disk space.
JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    one_trip(dbapi_connection)  # one hand-off to aiosqlite's thread per statement (bot/storage/sqlite_driver.py)
    # Let SQLAlchemy, not the driver, emit BEGIN (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while a writer commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL, not NORMAL: in WAL mode NORMAL skips the fsync of the log at each commit, so a power cut
    # or kernel crash can undo answers that were already acknowledged to the candidate. FULL syncs the
    # WAL before COMMIT returns, so an acknowledged answer survives a host crash. The cost is one fsync
    # per commit (benchmarks/storage.py measures it per answer, side by side with NORMAL).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT_BYTES}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


#: Execution option for a transaction that only reads (see `read_only`): it does not take SQLite's write lock.
READ_ONLY = "viva_read_only"


def _sqlite_begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
    # A deferred transaction that reads, then writes after another connection committed, fails at
    # once with "database is locked" (busy_timeout cannot help). Taking the write lock at BEGIN
    # makes concurrent transitions queue on busy_timeout instead. Transactions stay short: the
    # engine grades answers outside them. A read-only transaction starts deferred: with WAL it reads
    # a snapshot while a writer works, instead of queueing behind every write.
    # The BEGIN goes to SQLite with the transaction's first statement, in the same trip (sqlite_driver.py);
    # taking the write lock then rather than now changes nothing: the transaction has not read anything yet.
    begin = "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
    if not defer_begin(connection.connection.dbapi_connection, begin):
        connection.exec_driver_sql(begin)


async def read_only(session: AsyncSession) -> None:
    """Mark `session`'s transaction read-only; call before its first query (then it must not write)."""
    await session.connection(execution_options={READ_ONLY: True})


def read_only_sessions(sessions: async_sessionmaker[AsyncSession]) -> async_sessionmaker[AsyncSession] | None:
    """Sessions like `sessions`' whose transactions are all read-only (as if `read_only` were called on each,
    without that extra step per session: the option is the engine's), or None if `sessions` is not bound to
    an engine (then use `read_only`)."""
    kw = dict(sessions.kw)
    bind = kw.pop("bind", None)
    if not isinstance(bind, AsyncEngine):
        return None
    return async_sessionmaker(bind.execution_options(**{READ_ONLY: True}), class_=sessions.class_, **kw)


def _sqlite_reset(dbapi_connection, _record, reset_state) -> None:  # type: ignore[no-untyped-def]
    # The pool's reset on return, only when a transaction is really open. Every transaction here ends in COMMIT
    # or ROLLBACK before its connection goes back, and the stock reset then sends another ROLLBACK (a no-op
    # costing a trip to the driver's thread per write). A transaction left open (a COMMIT that failed) is still
    # rolled back, so no pooled connection keeps the write lock.
    clear_begin(dbapi_connection)  # a transaction that ran no statement: its BEGIN was never sent
    if reset_state.transaction_was_reset or not reset_state.asyncio_safe:
        return
    try:
        open_transaction = bool(dbapi_connection._connection.in_transaction)
    except Exception:  # another driver layout, or a closed connection: reset as SQLAlchemy would
        open_transaction = True
    if open_transaction:
        dbapi_connection.rollback()


#: SQLite connections kept open in the pool (beyond them up to 10 more, closed when returned). Above the
#: interview engine's reads and writes at once (2 x 6): a burst of answers then reuses connections instead of
#: opening and closing some per answer (each is a thread and six PRAGMAs). PostgreSQL keeps SQLAlchemy's 5.
SQLITE_POOL_SIZE = 15


def create_engine(url: str) -> AsyncEngine:
    # hide_parameters: an error's text must never carry a candidate's answer into the logs.
    sqlite = make_url(url).get_backend_name() == "sqlite"
    engine = create_async_engine(url, pool_pre_ping=not sqlite, hide_parameters=True,
                                 **({"pool_reset_on_return": None, "pool_size": SQLITE_POOL_SIZE} if sqlite else {}))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        event.listen(engine.sync_engine, "reset", _sqlite_reset)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade_database(url: str, revision: str = "head") -> list[str]:
    """Apply migrations (blocking; call before the event loop starts or via asyncio.to_thread).

    Returns the revisions applied (empty when the database was up to date). Raises DatabaseError with
    one line naming DATABASE_URL and what to do when the database cannot be reached or migrated.
    """
    from bot.storage.upgrade import run_upgrade

    ensure_database_location(url)
    return run_upgrade(alembic_config(url), url, revision)
