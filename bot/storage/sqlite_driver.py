"""One trip to aiosqlite's thread per SQL statement, instead of three or four.

SQLAlchemy's aiosqlite adapter creates a cursor, executes, fetches and closes it, each a separate hand-off to
the thread aiosqlite runs SQLite in (queue the call, wake the thread, wake the event loop with the result).
A bot answering many candidates pays that per statement, on the event loop. `OneTripConnection` runs the four
steps in one hand-off and keeps the rows, the description, the row count and the last row id, which is all the
adapter's cursor hands to SQLAlchemy afterwards (it already buffers every row before returning).

A transaction's BEGIN goes with its first statement (`defer_begin`): one trip fewer per transaction, and none
for a transaction that ends before running any statement.

It relies on SQLAlchemy 2.1's generic asyncio adapter (sqlalchemy.connectors.asyncio) and aiosqlite's
`Connection._execute`; where either is missing, `one_trip` leaves the connection as SQLAlchemy made it.
Server-side cursors (stream results) keep the stock cursor.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

try:
    from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_cursor
    from sqlalchemy.dialects.sqlite.aiosqlite import (
        AsyncAdapt_aiosqlite_connection,
        AsyncAdapt_aiosqlite_cursor,
    )
    from sqlalchemy.util import EMPTY_DICT
except ImportError:  # another SQLAlchemy layout: keep the stock adapter
    AsyncAdapt_dbapi_cursor = None  # type: ignore[assignment,misc]


#: Attribute of the aiosqlite connection holding the BEGIN statement to send with the next statement.
_BEGIN = "_viva_begin"


def _take_begin(driver: Any) -> str | None:
    begin = getattr(driver, _BEGIN, None)
    if begin is not None:
        setattr(driver, _BEGIN, None)
    return begin


def _execute(connection: sqlite3.Connection, operation: Any, parameters: Any,
             begin: str | None = None) -> tuple[Any, list[Any], int, Any]:
    """In aiosqlite's thread: BEGIN if one is pending, execute, fetch every row, close."""
    if begin is not None:
        connection.execute(begin)  # fails alone (e.g. database locked): then no transaction is open
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _executemany(connection: sqlite3.Connection, operation: Any, seq_of_parameters: Any,
                 begin: str | None = None) -> tuple[int, Any]:
    if begin is not None:
        connection.execute(begin)
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, seq_of_parameters)
        return cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


if AsyncAdapt_dbapi_cursor is not None:

    class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
        """The adapter's buffered cursor, minus the driver cursor it would keep open between trips."""

        __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

        def __init__(self, adapt_connection: Any) -> None:  # no trip to create a driver cursor
            self._adapt_connection = adapt_connection
            self._connection = adapt_connection._connection
            self._cursor = None  # type: ignore[assignment]
            self._soft_closed_memoized = EMPTY_DICT
            self._rows = collections.deque()
            self._description: Any = None
            self._rowcount = -1
            self._lastrowid: Any = None
            self._arraysize = 1

        @property
        def description(self) -> Any:
            return self._description

        @property
        def rowcount(self) -> int:
            return self._rowcount

        @property
        def lastrowid(self) -> Any:
            return self._lastrowid

        @property
        def arraysize(self) -> int:
            return self._arraysize

        @arraysize.setter
        def arraysize(self, value: int) -> None:
            self._arraysize = value

        async def _async_soft_close(self) -> None:
            return  # nothing is open between trips

        def close(self) -> None:
            self._rows.clear()

        async def _execute_async(self, operation: Any, parameters: Any) -> Any:
            driver = self._connection
            async with self._adapt_connection._execute_mutex:
                self._description, rows, self._rowcount, self._lastrowid = await driver._execute(
                    _execute, driver._conn, operation, parameters, _take_begin(driver))
            self._rows = collections.deque(rows)
            return self

        async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
            driver = self._connection
            async with self._adapt_connection._execute_mutex:
                self._rowcount, self._lastrowid = await driver._execute(
                    _executemany, driver._conn, operation, seq_of_parameters, _take_begin(driver))
            self._description = None
            self._rows = collections.deque()
            return self

        def nextset(self) -> None:
            raise NotImplementedError("SQLite has one result set per statement")

        def setinputsizes(self, *inputsizes: Any) -> None:
            return None

    class OneTripConnection(AsyncAdapt_aiosqlite_connection):
        __slots__ = ()
        _cursor_cls = OneTripCursor

        def commit(self) -> None:
            if _take_begin(self._connection) is None:  # else BEGIN was never sent: nothing to commit
                super().commit()

        def rollback(self) -> None:
            if _take_begin(self._connection) is None:
                super().rollback()


def defer_begin(dbapi_connection: Any, begin: str) -> bool:
    """Send `begin` (a BEGIN statement) with this connection's next statement instead of on its own; False if
    this connection does not run statements in one trip (then the caller sends it)."""
    if AsyncAdapt_dbapi_cursor is None or type(dbapi_connection) is not OneTripConnection:
        return False
    setattr(dbapi_connection._connection, _BEGIN, begin)
    return True


def clear_begin(dbapi_connection: Any) -> None:
    """Forget a BEGIN not sent yet (the connection goes back to the pool)."""
    _take_begin(getattr(dbapi_connection, "_connection", None))


def one_trip(dbapi_connection: Any) -> bool:
    """Make this aiosqlite connection (SQLAlchemy's adapter) run each statement in one trip; True if it does."""
    if AsyncAdapt_dbapi_cursor is None or type(dbapi_connection) is not AsyncAdapt_aiosqlite_connection:
        return False
    if not hasattr(dbapi_connection._connection, "_execute"):
        return False
    dbapi_connection.__class__ = OneTripConnection
    return True
