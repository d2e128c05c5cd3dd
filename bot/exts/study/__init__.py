"""/study: scheduled study-group sessions in a thread, with modal answers and a leaderboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot


async def setup(bot: VivaBot) -> None:
    from ._cog import StudyCog

    await bot.add_cog(StudyCog(bot))
