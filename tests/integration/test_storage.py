"""Storage through a real database migrated by Alembic: SQLite, and PostgreSQL for tests marked
`both_databases` (the SQLite-only ones check pragmas and SQLite's locking)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.storage.database import (
    DatabaseError,
    create_engine,
    ensure_database_location,
    read_only,
    sqlite_path,
)
from bot.storage.models import Base, InterviewSession, Turn, User


def _schema_diff(connection) -> list:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, Base.metadata)


@pytest.mark.both_databases
async def test_models_and_migrations_do_not_differ(db_url: str) -> None:
    """Fails when a model changes without a migration (what `alembic revision --autogenerate` would find),
    on SQLite and on PostgreSQL: the migrated schema must match the models on both."""
    engine = create_engine(db_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(_schema_diff)
    finally:
        await engine.dispose()
    assert diff == []


@pytest.mark.both_databases
async def test_the_comparison_catches_a_model_without_a_migration(db_url: str) -> None:
    """The check above can fail: a column added to the models but not migrated is reported."""
    from sqlalchemy import Column, String

    column = Column("nickname", String(32), nullable=True)
    User.__table__.append_column(column)
    try:
        engine = create_engine(db_url)
        try:
            async with engine.connect() as connection:
                diff = await connection.run_sync(_schema_diff)
        finally:
            await engine.dispose()
    finally:
        User.__table__._columns.remove(column)
    assert any(entry[0] == "add_column" and entry[3].name == "nickname" for entry in diff), diff


@pytest.mark.both_databases
async def test_timestamps_and_json_round_trip_alike(sessions) -> None:
    """What the models promise on every dialect: aware UTC datetimes back, JSON back as written."""
    from datetime import datetime, timedelta, timezone

    local = datetime(2026, 3, 2, 18, 0, tzinfo=timezone(timedelta(hours=1)))
    async with sessions() as db:
        user = User(platform="discord", external_id="42", display_name="Zoë ✨", created_at=local)
        db.add(user)
        await db.commit()
    async with sessions() as db:
        loaded = await db.scalar(select(User))
    assert loaded.created_at == local and loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.display_name == "Zoë ✨"


def test_database_uses_wal_journal(db_url: str, tmp_path: Path) -> None:
    path = sqlite_path(db_url)
    assert path is not None and path.exists()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.both_databases
async def test_session_and_turn_round_trip(sessions) -> None:
    async with sessions() as db:
        user = User(platform="terminal", external_id="ada", display_name="Ada")
        db.add(user)
        await db.flush()
        session = InterviewSession(user_id=user.id, persona_id="tester", topic="T04", difficulty="M",
                                   question_ids=["T04-001", "T07-001"], current_index=0)
        db.add(session)
        await db.flush()
        db.add(Turn(session_id=session.id, position=0, question_id="T04-001", phase="done",
                    answer="ReLU units die ✨ — ünïcode survives", score=3.5,
                    coverage={"kp1": {"status": "covered", "coverage": 0.9}},
                    misconceptions=["M01"], follow_ups=[{"kind": "probe", "key_point": "kp2"}],
                    exchanges=[{"kind": "answer", "text": "x"}], hints_used=1))
        await db.commit()
        session_id = session.id

    async with sessions() as db:
        loaded = await db.scalar(select(InterviewSession).options(selectinload(InterviewSession.turns))
                                 .where(InterviewSession.id == session_id))
        assert loaded is not None
        assert loaded.question_ids == ["T04-001", "T07-001"]
        turn = loaded.turns[0]
        assert turn.answer == "ReLU units die ✨ — ünïcode survives"
        assert turn.coverage["kp1"]["status"] == "covered"
        assert turn.follow_ups[0]["key_point"] == "kp2"
        assert turn.hints_used == 1
        assert turn.asked_at.tzinfo is not None and turn.asked_at.utcoffset() == UTC.utcoffset(None)


@pytest.mark.both_databases
async def test_deleting_a_user_deletes_their_sessions_and_turns(sessions) -> None:
    async with sessions() as db:
        user = User(platform="terminal", external_id="bob", display_name="Bob")
        db.add(user)
        await db.flush()
        session = InterviewSession(user_id=user.id, persona_id="tester", question_ids=["T04-001"])
        db.add(session)
        await db.flush()
        db.add(Turn(session_id=session.id, position=0, question_id="T04-001"))
        await db.commit()
        await db.delete(user)
        await db.commit()
        assert (await db.scalars(select(Turn))).all() == []
        assert (await db.scalars(select(InterviewSession))).all() == []


def test_missing_database_directory_is_created(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'deep' / 'er' / 'viva.db'}"
    ensure_database_location(url)
    assert (tmp_path / "deep" / "er").is_dir()


def test_unwritable_database_directory_gives_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(DatabaseError, match="DATABASE_URL"):
        ensure_database_location(f"sqlite+aiosqlite:///{blocker / 'viva.db'}")


async def test_read_only_transaction_does_not_wait_for_a_writer(sessions) -> None:
    """A writer holds SQLite's write lock (BEGIN IMMEDIATE); a read-only session reads the last committed
    state (a writer-style session would wait out busy_timeout and fail with "database is locked"), and a
    second writer has to wait."""
    async with sessions() as db:
        db.add(User(platform="terminal", external_id="ada", display_name="Ada"))
        await db.commit()
    async with sessions() as writer:
        (await writer.scalars(select(User))).one().display_name = "Ada L."
        await writer.flush()  # the write lock is held until commit
        async with sessions() as reader:
            await read_only(reader)
            name = await reader.scalar(select(User.display_name))
        assert name == "Ada"

        async def second_writer() -> None:
            async with sessions() as other:
                await other.scalar(select(User.display_name))

        with pytest.raises(TimeoutError):  # queues on busy_timeout behind the first writer
            await asyncio.wait_for(second_writer(), 0.5)
        await writer.commit()


@pytest.mark.parametrize("url", [
    "postgresql+asyncpg://viva:viva@127.0.0.1:1/viva",  # nothing listens on port 1: refused
    "postgresql+asyncpg://viva:viva@no-such-host.invalid:5432/viva",
])
def test_an_unreachable_postgresql_is_one_line_naming_database_url(url: str) -> None:
    from bot.storage.database import upgrade_database

    with pytest.raises(DatabaseError) as caught:
        upgrade_database(url)
    message = str(caught.value)
    assert "DATABASE_URL" in message and "\n" not in message and "viva:viva" not in message


def test_a_wrong_postgresql_password_is_one_line_naming_database_url(postgres_server) -> None:
    from sqlalchemy.engine import make_url

    from bot.storage.database import upgrade_database

    url = make_url(postgres_server.url).set(password="certainly-wrong").render_as_string(hide_password=False)
    with pytest.raises(DatabaseError) as caught:
        upgrade_database(url)
    message = str(caught.value)
    assert "password authentication failed" in message and "DATABASE_URL" in message and "\n" not in message


async def test_sqlite_statements_take_one_trip_and_report_what_sqlalchemy_reads(db_url: str) -> None:
    """bot/storage/sqlite_driver.py: rows, row counts, last row ids, executemany and driver errors come back
    as with SQLAlchemy's stock aiosqlite cursor, each statement in one hand-off to aiosqlite's thread."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from bot.storage.database import create_engine
    from bot.storage.sqlite_driver import OneTripConnection

    engine = create_engine(db_url)
    try:
        async with engine.begin() as connection:
            raw = await connection.get_raw_connection()
            assert type(raw.dbapi_connection) is OneTripConnection
            driver = raw.dbapi_connection._connection
            trips = 0
            execute = driver._execute

            async def counted(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
                nonlocal trips
                trips += 1
                return await execute(fn, *args, **kwargs)

            driver._execute = counted
            try:
                await connection.execute(text("CREATE TABLE probe (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
                inserted = await connection.execute(text("INSERT INTO probe (name) VALUES ('a')"))
                assert inserted.lastrowid == 1 and inserted.rowcount == 1
                many = await connection.execute(text("INSERT INTO probe (name) VALUES (:name)"),
                                                [{"name": "b"}, {"name": "c"}])
                assert many.rowcount == 2
                updated = await connection.execute(text("UPDATE probe SET name = name || '!' WHERE id > 1"))
                assert updated.rowcount == 2
                rows = (await connection.execute(text("SELECT id, name FROM probe ORDER BY id"))).all()
                assert [tuple(r) for r in rows] == [(1, "a"), (2, "b!"), (3, "c!")]
                assert trips == 5  # one per statement
                with pytest.raises(IntegrityError):
                    await connection.execute(text("INSERT INTO probe (name) VALUES ('a')"))
            finally:
                driver._execute = execute
    finally:
        await engine.dispose()


async def test_a_connection_returned_inside_a_transaction_does_not_keep_the_write_lock(db_url: str) -> None:
    """SQLite's pool reset skips the no-op ROLLBACK after a COMMIT, but still ends a transaction left open."""
    from bot.storage.database import create_engine

    engine = create_engine(db_url)
    path = db_url.split("///", 1)[1]
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            # A transaction SQLAlchemy does not know about, as after a COMMIT that failed.
            await connection.run_sync(lambda _: raw.dbapi_connection.cursor().execute("BEGIN IMMEDIATE"))
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # the pool rolled it back on return: the lock is free
        other.execute("ROLLBACK")
        other.close()
    finally:
        await engine.dispose()
