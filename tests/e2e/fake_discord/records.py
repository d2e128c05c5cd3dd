"""What the fake remembers: messages the bot posted, interactions it dispatched, modals it showed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EPHEMERAL_FLAG = 1 << 6


@dataclass
class Attachment:
    id: str
    filename: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")


@dataclass
class SentMessage:
    """A message as the fake stored it (bot posts, followups, interaction responses, user messages)."""

    id: str
    channel_id: str
    author_id: str
    content: str
    embeds: list[dict[str, Any]]
    components: list[dict[str, Any]]
    flags: int
    attachments: list[Attachment]
    allowed_mentions: dict[str, Any] | None
    interaction_id: str | None = None
    loading: bool = False
    edits: int = 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL_FLAG)

    @property
    def text(self) -> str:
        """Content plus every embed's title, description and field texts: what a reader sees."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for embed_field in embed.get("fields", []):
                parts += [embed_field.get("name", ""), embed_field.get("value", "")]
            parts.append(embed.get("footer", {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    def custom_ids(self) -> list[str]:
        found: list[str] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                if "custom_id" in item:
                    found.append(item["custom_id"])
                walk(item.get("components", []))
                if "component" in item:
                    walk([item["component"]])

        walk(self.components)
        return found

    def button(self, label: str) -> str:
        """The custom id of the button with this label (AssertionError if there is none)."""

        def walk(items: list[dict[str, Any]]) -> str | None:
            for item in items:
                if item.get("type") == 2 and item.get("label") == label:
                    return item["custom_id"]
                inner = walk(item.get("components", []))
                if inner:
                    return inner
            return None

        custom_id = walk(self.components)
        assert custom_id, f"no button {label!r} on message {self.id}: {self.custom_ids()}"
        return custom_id


@dataclass
class ModalShown:
    """A modal the bot opened in response to an interaction (callback type 9)."""

    interaction_id: str
    custom_id: str
    title: str
    components: list[dict[str, Any]]

    def text_input_ids(self) -> list[str]:
        ids: list[str] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                if item.get("type") == 4:
                    ids.append(item["custom_id"])
                walk(item.get("components", []))
                if "component" in item:
                    walk([item["component"]])

        walk(self.components)
        return ids


@dataclass
class InteractionRecord:
    """One dispatched interaction and how the bot answered it."""

    id: str
    token: str
    type: int
    user_id: str
    channel_id: str
    dispatched_at: float
    clicked_message_id: str | None = None  # for component interactions: the message the button is on
    first_response_at: float | None = None
    response_type: int | None = None
    response_message_id: str | None = None
    modal: ModalShown | None = None
    choices: list[dict[str, Any]] | None = None  # an autocomplete answer (callback type 8)
    followup_ids: list[str] = field(default_factory=list)

    @property
    def ack_seconds(self) -> float | None:
        if self.first_response_at is None:
            return None
        return self.first_response_at - self.dispatched_at
