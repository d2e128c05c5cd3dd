"""Our own fake Discord for end-to-end tests: REST + gateway on 127.0.0.1, driven by tests.

A real discord.py client connects to it after two redirects (Route.BASE and
DiscordWebSocket.DEFAULT_GATEWAY), which the production factory applies from settings.
"""

from .driver import ACK_DEADLINE_S, FakeDiscord
from .records import Attachment, InteractionRecord, ModalShown, SentMessage

__all__ = ["ACK_DEADLINE_S", "Attachment", "FakeDiscord", "InteractionRecord", "ModalShown", "SentMessage"]
