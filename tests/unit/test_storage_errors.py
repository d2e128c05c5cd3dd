"""One classification of database failures, from the drivers' real exceptions."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from bot.interview.failures import failure_message
from bot.storage.errors import StorageProblem, classify, is_busy


def test_a_full_sqlite_file_is_classified_full(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x BLOB)"))
    with pytest.raises(OperationalError) as raised, engine.begin() as connection:
        connection.execute(text("PRAGMA max_page_count = 3"))
        connection.execute(text("INSERT INTO t VALUES (randomblob(100000))"))
    problem = classify(raised.value)
    assert problem is not None and problem.kind == "full" and problem.transient


def test_a_locked_database_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0.01, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as raised:
        other.execute("BEGIN IMMEDIATE")
    holder.execute("ROLLBACK")
    assert is_busy(raised.value)


def test_a_read_only_connection_is_read_only(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        reader.execute("INSERT INTO t VALUES (1)")
    assert classify(raised.value) == StorageProblem("read_only", "attempt to write a readonly database")


def test_refused_connections_and_disk_errors() -> None:
    assert classify(ConnectionRefusedError(errno.ECONNREFUSED, "refused")).kind == "unreachable"  # type: ignore[union-attr]
    assert classify(OSError(errno.ENOSPC, "No space left on device")).kind == "full"  # type: ignore[union-attr]
    assert classify(ValueError("not storage")) is None


def test_messages_say_truthfully_whether_the_answer_is_saved() -> None:
    full = StorageProblem("full", "database or disk is full")
    assert "NOT saved" in failure_message("answer", full, saved=False)
    assert "is saved" in failure_message("answer", full, saved=True)
    assert "Nothing was changed" in failure_message("hint", full, saved=False)
    assert "submit it again" in failure_message("code", None, saved=False)
    for message in (failure_message(s, full, saved=False) for s in ("answer", "hint", "code")):
        assert "\n" not in message and len(message) < 300
