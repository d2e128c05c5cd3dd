"""Find or create the `users` row of a study participant (the same table interviews use)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.interview.engine import Participant
from bot.storage.models import User


async def user_for(db: AsyncSession, who: Participant) -> User:
    """The participant's row (created on first use), with the display name kept current."""
    user = await db.scalar(select(User).where(User.platform == who.platform, User.external_id == who.external_id))
    if user is None:
        user = User(platform=who.platform, external_id=who.external_id, display_name=who.display_name[:100])
        db.add(user)
        await db.flush()
    elif user.display_name != who.display_name[:100]:
        user.display_name = who.display_name[:100]
    return user
