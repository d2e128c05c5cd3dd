"""Interview rows read and written with plain SQL statements, not through the ORM's identity map and flush.

A transition changes one session row and one turn row. Loading them as ORM objects and flushing them cost
the bot several milliseconds of CPU per answer (most of its work once grading runs in workers), so the
engine reads the two rows as plain rows, wraps them in *unattached* model objects (the transition code
reads and sets their attributes as before) and, before the commit, writes back the columns that changed:
one UPDATE per changed row, nothing for an unchanged one.

Rules for code working on these objects: assign new values (`turn.exchanges = [*turn.exchanges, x]`), never
change a JSON value in place (the ORM did not see such changes either); relationships (`session.turns`) are
not loaded: read turns with `turns_of`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import configure_mappers

from bot.storage.models import InterviewSession, Turn, User

SESSIONS = InterviewSession.__table__
TURNS = Turn.__table__
USERS = User.__table__

#: Key in `AsyncSession.info`: the objects read through this module, with the values they were read with.
_LOADED = "viva_loaded_rows"

M = TypeVar("M", InterviewSession, Turn)


#: Each model's column keys in table order: the order of a row of `select(table, ...)`, which begins with them.
_KEYS = {model: tuple(column.key for column in model.__table__.columns) for model in (InterviewSession, Turn)}


_mappers_configured = False


def _configure_mappers() -> None:
    """Set up the models' attributes, as the ORM does before it builds or loads its first object: without
    that, an object made with `new_instance` in a fresh process has attributes that cannot be read."""
    global _mappers_configured
    configure_mappers()
    _mappers_configured = True


def _unattached(db: AsyncSession, model: type[M], row: Row[Any] | Any) -> M:
    values = dict(zip(_KEYS[model], row, strict=False))  # the row's first columns are the model's, in order
    # The values go into the new object's __dict__ as the ORM's loader puts them there, instead of through the
    # constructor's instrumented attribute sets (the biggest cost of reading a row here). The object is
    # transient, as one built by the constructor is; later assignments go through the instrumentation as usual.
    if not _mappers_configured:
        _configure_mappers()
    obj = model.__mapper__.class_manager.new_instance()  # type: ignore[attr-defined]
    obj.__dict__.update(values)
    db.info.setdefault(_LOADED, []).append((obj, values))
    return obj


# Statements built once: building a statement (and its cache key) costs more than running it on SQLite.
_SESSION = (select(SESSIONS, USERS.c.external_id).join(USERS, USERS.c.id == SESSIONS.c.user_id)
            .where(SESSIONS.c.id == bindparam("session_id")))
_SESSION_LOCKED = _SESSION.with_for_update(of=SESSIONS)
#: The session, its candidate's external id and its current turn in one row (SQLite: see `load_current`).
_CURRENT = (select(SESSIONS, USERS.c.external_id, TURNS)
            .join(USERS, USERS.c.id == SESSIONS.c.user_id)
            .outerjoin(TURNS, (TURNS.c.session_id == SESSIONS.c.id) & (TURNS.c.position == SESSIONS.c.current_index))
            .where(SESSIONS.c.id == bindparam("session_id")))
_SESSION_WIDTH = len(SESSIONS.columns)
_TURN = select(TURNS).where(TURNS.c.session_id == bindparam("session_id"), TURNS.c.position == bindparam("position"))
_TURNS = select(TURNS).where(TURNS.c.session_id == bindparam("session_id")).order_by(TURNS.c.position)
#: The SET clause comes from the parameters given (the changed columns); onupdate columns are set as well.
_UPDATE_BY_ID = {table: update(table).where(table.c.id == bindparam("row_id")) for table in (SESSIONS, TURNS)}
#: Columns of the turns a question waits on, and the last exchanges (`InterviewEngine._pending_unless_missed`).
PENDING_ROWS = (select(SESSIONS.c.status, SESSIONS.c.current_index, USERS.c.external_id, TURNS.c.position,
                       TURNS.c.question_id, TURNS.c.exchanges)
                .join_from(SESSIONS, USERS, USERS.c.id == SESSIONS.c.user_id)
                .join(TURNS, TURNS.c.session_id == SESSIONS.c.id)
                .where(SESSIONS.c.id == bindparam("session_id"))
                .order_by(TURNS.c.position))
#: The pending turn alone (`InterviewEngine._pending`).
PENDING = (select(SESSIONS.c.status, USERS.c.external_id, TURNS.c.position, TURNS.c.question_id)
           .join_from(SESSIONS, USERS, USERS.c.id == SESSIONS.c.user_id)
           .join(TURNS, (TURNS.c.session_id == SESSIONS.c.id) & (TURNS.c.position == SESSIONS.c.current_index))
           .where(SESSIONS.c.id == bindparam("session_id")))
#: Follow-ups of the turns before a position.
FOLLOW_UPS_BEFORE = select(TURNS.c.follow_ups).where(TURNS.c.session_id == bindparam("session_id"),
                                                     TURNS.c.position < bindparam("position"))
#: The turns named by (session id, position) pairs, row-locked, for marking replies shown (one statement for
#: any number of pairs: its compiled form is cached, unlike an OR of one condition per pair).
SHOWN_TURNS = (select(TURNS.c.id, TURNS.c.session_id, TURNS.c.position, TURNS.c.exchanges)
               .where(tuple_(TURNS.c.session_id, TURNS.c.position).in_(bindparam("pairs", expanding=True)))
               .order_by(TURNS.c.id).with_for_update())
#: Mark exchanges replied: executemany over {"turn_id", "new_exchanges"}.
SET_EXCHANGES = (update(TURNS).where(TURNS.c.id == bindparam("turn_id"))
                 .values(exchanges=bindparam("new_exchanges")))


async def load_session(db: AsyncSession, session_id: int, *, lock: bool) -> tuple[InterviewSession, str] | None:
    """The session row (and its candidate's external id), row-locked with `lock` (PostgreSQL: FOR UPDATE;
    SQLite's write transaction already holds the database's write lock); None if there is none."""
    row = (await db.execute(_SESSION_LOCKED if lock else _SESSION, {"session_id": session_id})).first()
    if row is None:
        return None
    return _unattached(db, InterviewSession, row), row.external_id


async def load_current(db: AsyncSession, session_id: int, *,
                       lock: bool) -> tuple[InterviewSession, str, Turn | None] | None:
    """The session row, its candidate's external id and its current turn (None if that row is missing); None if
    there is no such session.

    SQLite: one statement (a write transaction holds the database's write lock from its BEGIN IMMEDIATE, so
    nothing can change between the two rows). PostgreSQL: the session row first, row-locked with `lock`, then
    the turn, read once the lock is held so it is the latest version (a statement that waited for the lock sees
    what the transaction before committed; a row joined to the locked one would not be read again)."""
    if db.bind is None or db.bind.dialect.name != "sqlite":
        found = await load_session(db, session_id, lock=lock)
        if found is None:
            return None
        session, external_id = found
        return session, external_id, await load_turn(db, session.id, session.current_index)
    row = (await db.execute(_CURRENT, {"session_id": session_id})).first()
    if row is None:
        return None
    session = _unattached(db, InterviewSession, row[:_SESSION_WIDTH])
    turn_values = row[_SESSION_WIDTH + 1:]
    turn = None if turn_values[0] is None else _unattached(db, Turn, turn_values)
    return session, row[_SESSION_WIDTH], turn


async def load_turn(db: AsyncSession, session_id: int, position: int) -> Turn | None:
    row = (await db.execute(_TURN, {"session_id": session_id, "position": position})).first()
    return None if row is None else _unattached(db, Turn, row)


async def turns_of(db: AsyncSession, session: InterviewSession, *, keep: Turn | None = None) -> list[Turn]:
    """Every turn of `session` in order, the one at `keep`'s position being `keep` itself (with its changes)."""
    found = (await db.execute(_TURNS, {"session_id": session.id})).all()
    return [keep if keep is not None and row.position == keep.position else _unattached(db, Turn, row)
            for row in found]


async def write_back(db: AsyncSession) -> None:
    """UPDATE the columns changed since these rows were read (before the transaction commits)."""
    for obj, before in db.info.pop(_LOADED, ()):
        changed = {key: value for key, old in before.items()
                   if (value := getattr(obj, key)) is not old and value != old}
        if changed:
            await db.execute(_UPDATE_BY_ID[type(obj).__table__], {**changed, "row_id": obj.id})
