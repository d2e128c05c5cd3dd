"""/help and /topics."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord_bot import VivaBot


async def setup(bot: VivaBot) -> None:
    from ._cog import InfoCog

    await bot.add_cog(InfoCog(bot))
