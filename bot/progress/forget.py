"""Forget a candidate: delete every row about them (`/forget-me`).

Deletion is explicit, child rows first, so it does not depend on the database enforcing ON DELETE
CASCADE. Tables added later by other features are covered without editing this module: any table with
a foreign key to `users.id` loses the candidate's rows, except where that key is nullable, which means
"the row outlives its creator" (e.g. a study group's schedule): there the link is cleared instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Base, InterviewSession, ReviewCard, Turn, User


@dataclass
class ForgetSummary:
    found: bool
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    unlinked: dict[str, int] = field(default_factory=dict)  # table -> rows whose link was cleared


def _tables_pointing_at_users() -> list[tuple[Table, str, bool]]:
    """(table, column, nullable) for every foreign key to users.id in the metadata, but the known ones."""
    known = {InterviewSession.__tablename__, ReviewCard.__tablename__, User.__tablename__}
    found = []
    for table in Base.metadata.sorted_tables:
        if table.name in known:
            continue
        for column in table.columns:
            if any(fk.column.table.name == User.__tablename__ for fk in column.foreign_keys):
                found.append((table, column.name, bool(column.nullable)))
    return found


async def forget_user(db: AsyncSession, user_id: int) -> ForgetSummary:
    """Delete the user and everything about them, in `db`'s transaction; the caller commits."""
    if await db.get(User, user_id) is None:
        return ForgetSummary(found=False)
    summary = ForgetSummary(found=True)
    session_ids = select(InterviewSession.id).where(InterviewSession.user_id == user_id).scalar_subquery()

    async def remove(statement, name: str) -> None:  # type: ignore[no-untyped-def]
        result = await db.execute(statement)
        summary.deleted[name] = summary.deleted.get(name, 0) + int(result.rowcount or 0)  # type: ignore[attr-defined]

    for table, column, nullable in _tables_pointing_at_users():
        condition = table.c[column] == user_id
        if nullable:
            result = await db.execute(update(table).where(condition).values({column: None}))
            changed = int(result.rowcount or 0)  # type: ignore[attr-defined]
            if changed:
                summary.unlinked[table.name] = summary.unlinked.get(table.name, 0) + changed
        else:
            await remove(delete(table).where(condition), table.name)
    await remove(delete(Turn).where(Turn.session_id.in_(session_ids)), Turn.__tablename__)
    await remove(delete(InterviewSession).where(InterviewSession.user_id == user_id),
                 InterviewSession.__tablename__)
    await remove(delete(ReviewCard).where(ReviewCard.user_id == user_id), ReviewCard.__tablename__)
    await remove(delete(User).where(User.id == user_id), User.__tablename__)
    db.expunge_all()  # identity-map copies of deleted rows must not be flushed back
    return summary
