"""Per-server study defaults (topic, answer window, question count, role to mention)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.models import GuildStudySettings

BUILTIN_ANSWER_WINDOW_S = 5 * 60
BUILTIN_QUESTION_COUNT = 3
MAX_QUESTIONS = 10


@dataclass(frozen=True)
class StudyDefaults:
    topic: str | None = None
    answer_window_s: int = BUILTIN_ANSWER_WINDOW_S
    question_count: int = BUILTIN_QUESTION_COUNT
    mention_role_id: str | None = None


def _defaults_of(row: GuildStudySettings | None) -> StudyDefaults:
    if row is None:
        return StudyDefaults()
    return StudyDefaults(
        topic=row.default_topic,
        answer_window_s=row.answer_window_s or BUILTIN_ANSWER_WINDOW_S,
        question_count=row.question_count or BUILTIN_QUESTION_COUNT,
        mention_role_id=row.mention_role_id,
    )


async def defaults_in(db: AsyncSession, guild_id: str) -> StudyDefaults:
    return _defaults_of(await db.get(GuildStudySettings, guild_id))


async def update_defaults(
    sessions: async_sessionmaker[AsyncSession],
    guild_id: str,
    *,
    topic: str | None = None,
    answer_window_s: int | None = None,
    question_count: int | None = None,
    mention_role_id: str | None = None,
    clear_topic: bool = False,
    clear_role: bool = False,
) -> StudyDefaults:
    """Change the given settings (None: leave as is); `clear_*` resets to "any topic" / "mention nobody"."""
    async with sessions() as db:
        row = await db.get(GuildStudySettings, guild_id)
        if row is None:
            row = GuildStudySettings(guild_id=guild_id)
            db.add(row)
        if topic is not None or clear_topic:
            row.default_topic = None if clear_topic else topic
        if answer_window_s is not None:
            row.answer_window_s = answer_window_s
        if question_count is not None:
            row.question_count = question_count
        if mention_role_id is not None or clear_role:
            row.mention_role_id = None if clear_role else mention_role_id
        await db.commit()
        return _defaults_of(row)
