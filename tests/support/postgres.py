"""A real PostgreSQL server for the tests: one migrated template database, one fresh copy per test.

The server comes from VIVA_TEST_POSTGRES_URL (`.ci/run` starts one and exports it). Outside CI, a
missing or unreachable server skips the PostgreSQL half of the suite with a reason that says how to get
one; in CI (CI=true) it fails instead, so a broken CI database can never pass as "skipped".
"""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest

ENV = "VIVA_TEST_POSTGRES_URL"
HOW = ("set VIVA_TEST_POSTGRES_URL=postgresql+asyncpg://viva:viva@127.0.0.1:5432/viva_test "
       "(a role with CREATEDB; `bash .ci/run` sets one up)")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip (or, in CI, fail) a PostgreSQL test with one line that says what is missing."""
    message = f"PostgreSQL unavailable: {reason}; {HOW}"
    if in_ci():
        pytest.fail(f"{message} (CI=true: PostgreSQL tests must run, not skip)", pytrace=False)
    pytest.skip(message)


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _admin(url: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def with_database(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


class PostgresServer:
    """The server behind VIVA_TEST_POSTGRES_URL and a migrated template to copy databases from."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.template = f"viva_tpl_{uuid.uuid4().hex[:10]}"
        self.created: list[str] = []

    def prepare(self) -> None:
        from bot.storage.database import upgrade_database

        asyncio.run(_admin(self.url, f'CREATE DATABASE "{self.template}"'))
        self.created.append(self.template)
        upgrade_database(with_database(self.url, self.template))

    def fresh_database(self) -> str:
        """A new database copied from the migrated template (fast: no migrations per test)."""
        name = f"viva_t_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(self.url, f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        self.created.append(name)
        return with_database(self.url, name)

    def empty_database(self) -> str:
        name = f"viva_e_{uuid.uuid4().hex[:12]}"
        asyncio.run(_admin(self.url, f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return with_database(self.url, name)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        asyncio.run(_admin(self.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in reversed(list(self.created)):
            asyncio.run(_admin(self.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.clear()


def connect_or_reason(url: str) -> str | None:
    """None if the server answers, else why not (one line)."""
    try:
        asyncio.run(_admin(url, "SELECT 1"))
    except ModuleNotFoundError:
        return "asyncpg is not installed (pip install -e '.[dev]')"
    except Exception as exc:  # any failure to connect is reported, not raised
        return f"cannot connect to {ENV} ({type(exc).__name__}: {exc})".replace("\n", " ")
    return None
