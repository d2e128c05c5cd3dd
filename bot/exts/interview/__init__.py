"""/interview: mock interviews in a thread per candidate, in DMs, or privately where threads are not allowed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot


async def setup(bot: VivaBot) -> None:
    from ._cog import InterviewCog

    await bot.add_cog(InterviewCog(bot))
