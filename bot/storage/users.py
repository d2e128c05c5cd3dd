"""Who a candidate is, and their `users` row: the one lookup interviews, study groups and progress share."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import User

#: longest display name kept (the column's length)
DISPLAY_NAME_MAX = 100


@dataclass(frozen=True)
class Participant:
    """Who is interviewed: `platform` is the front end ("discord", "terminal"), `external_id` its user id."""

    platform: str
    external_id: str
    display_name: str


async def find_user(db: AsyncSession, platform: str, external_id: str) -> User | None:
    """The user's row, or None if they have never practised."""
    return await db.scalar(select(User).where(User.platform == platform, User.external_id == external_id))


async def user_for(db: AsyncSession, who: Participant) -> User:
    """The participant's row (created on first use, in `db`'s transaction), with the display name kept current."""
    name = who.display_name[:DISPLAY_NAME_MAX]
    user = await find_user(db, who.platform, who.external_id)
    if user is None:
        user = User(platform=who.platform, external_id=who.external_id, display_name=name)
        db.add(user)
        await db.flush()
    elif user.display_name != name:
        user.display_name = name
    return user
