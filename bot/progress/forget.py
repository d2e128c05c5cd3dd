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
from bot.wording import join_words, plural

#: How /forget-me names each table's rows (singular, plural), in the order it lists them. A table
#: added later without an entry here is still named (by its table name), never left out.
DELETED_NAMES: dict[str, tuple[str, str]] = {
    "interview_sessions": ("interview", "interviews"),
    "turns": ("interview answer", "interview answers"),
    "study_answers": ("study-session answer", "study-session answers"),
    "study_members": ("study-session sign-up", "study-session sign-ups"),
    "review_cards": ("review-schedule entry", "review-schedule entries"),
}
UNLINKED_NAMES: dict[str, tuple[str, str]] = {
    "study_schedules": ("study schedule you created", "study schedules you created"),
}


@dataclass
class ForgetSummary:
    found: bool
    deleted: dict[str, int] = field(default_factory=dict)  # table -> rows deleted
    unlinked: dict[str, int] = field(default_factory=dict)  # table -> rows whose link was cleared

    def deleted_items(self) -> list[str]:
        """What was deleted, in words (`1 interview`, `2 study-session answers`), known tables first."""
        return _named(self.deleted, DELETED_NAMES, skip={User.__tablename__})

    def unlinked_items(self) -> list[str]:
        return _named(self.unlinked, UNLINKED_NAMES, skip=set())

    def describe(self) -> str:
        """The confirmation /forget-me shows: everything it deleted, and what no longer names the user."""
        if not self.found:
            return "Viva had no data about you. Nothing to delete."
        items = self.deleted_items()
        text = (f"Done. I deleted your profile and all your data: {join_words(items)}."
                if items else "Done. I deleted your profile; there was nothing else about you.")
        unlinked = self.unlinked_items()
        if unlinked:
            verb = "keeps" if sum(self.unlinked.values()) == 1 else "keep"
            text += f" {join_words(unlinked)} {verb} running without your name."
        return text


def _named(counts: dict[str, int], names: dict[str, tuple[str, str]], skip: set[str]) -> list[str]:
    ordered = [t for t in names if t in counts] + sorted(t for t in counts if t not in names)
    items = []
    for table in ordered:
        count = counts[table]
        if table in skip or count <= 0:
            continue
        singular, plural_form = names.get(table, (table.replace("_", " ").rstrip("s"),
                                                  table.replace("_", " ")))
        items.append(plural(count, singular, plural_form))
    return items


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
