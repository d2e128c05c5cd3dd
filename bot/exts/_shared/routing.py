"""How Discord events reach the extension that owns them, the same way for every extension.

- **Handlers by protocol.** An extension registers itself for the protocol its buttons and modals call
  (`register`); a control finds it with `handler_for(client, Protocol)`: typed, no cog names, no casts.
- **Modals by custom id.** A modal submission is routed by its custom id and the values of its fields
  (`ModalRouter`), never through the in-memory `Modal` object that opened it, so a form opened before a
  restart still reaches its handler afterwards. Every route runs inside the error boundary
  (`report_failure`): a failure becomes one private message, with the typed text shown back to copy.
- **Direct messages.** One listener; the first route that claims a message handles it (`DirectMessages`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import discord

from bot.exts._shared.failures import report_failure

log = logging.getLogger(__name__)

T = TypeVar("T")


class HasHandlers(Protocol):
    handlers: dict[type, object]


def register(client: HasHandlers, kind: type[T], handler: T) -> None:
    """`handler` answers for `kind` (a Protocol its controls call) until `unregister`."""
    client.handlers[kind] = handler


def unregister(client: HasHandlers, kind: type) -> None:
    client.handlers.pop(kind, None)


def handler_for(client: Any, kind: type[T]) -> T:
    """The handler registered for `kind` on this bot (its extension is loaded)."""
    handlers: dict[type, object] = getattr(client, "handlers", {})
    found = handlers.get(kind)
    if found is None:
        raise LookupError(f"no extension handles {kind.__name__}: is it loaded?")
    return found  # type: ignore[return-value]


def modal_values(interaction: discord.Interaction) -> dict[str, str]:
    """The submitted modal's field values by custom id (labels and layout rows may nest them)."""

    def values(components: list[Any]) -> Iterator[tuple[str, str]]:
        for component in components:
            yield from values(component.get("components", []))
            if "component" in component:
                yield from values([component["component"]])
            if "value" in component:
                yield component.get("custom_id", ""), str(component["value"])

    data: Any = interaction.data or {}
    return dict(values(list(data.get("components", []))))


ModalCallback = Callable[[discord.Interaction, "re.Match[str]", dict[str, str]], Awaitable[None]]


@dataclass(frozen=True)
class ModalRoute:
    pattern: re.Pattern[str]
    callback: ModalCallback
    #: the failure message's wording ("answer", "code", ...)
    step: str
    #: the field whose text is shown back if the step fails before saving it
    echo_field: str | None = None


class ModalRouter:
    def __init__(self) -> None:
        self._routes: dict[str, ModalRoute] = {}

    def add(self, name: str, pattern: str, callback: ModalCallback, *, step: str,
            echo_field: str | None = None) -> None:
        self._routes[name] = ModalRoute(re.compile(pattern), callback, step, echo_field)

    def remove(self, name: str) -> None:
        self._routes.pop(name, None)

    async def dispatch(self, interaction: discord.Interaction) -> bool:
        """Handle `interaction` if it submits a modal one of the routes knows; True if one did."""
        if interaction.type is not discord.InteractionType.modal_submit or not interaction.data:
            return False
        custom_id = str(interaction.data.get("custom_id", ""))
        for route in self._routes.values():
            match = route.pattern.fullmatch(custom_id)
            if match is None:
                continue
            values = modal_values(interaction)
            try:
                await route.callback(interaction, match, values)
            except Exception as error:
                await report_failure(interaction, error, step=route.step,
                                     answer_text=values.get(route.echo_field) if route.echo_field else None)
            return True
        return False


@dataclass(frozen=True)
class DirectMessageRoute:
    claims: Callable[[discord.Message], bool]
    handle: Callable[[discord.Message], Awaitable[None]]
    #: lower runs first (a code block is a submission before it is an interview answer)
    priority: int


class DirectMessages:
    def __init__(self) -> None:
        self._routes: dict[str, DirectMessageRoute] = {}

    def add(self, name: str, claims: Callable[[discord.Message], bool],
            handle: Callable[[discord.Message], Awaitable[None]], *, priority: int) -> None:
        self._routes[name] = DirectMessageRoute(claims, handle, priority)

    def remove(self, name: str) -> None:
        self._routes.pop(name, None)

    async def dispatch(self, message: discord.Message) -> bool:
        """Give a direct message to the first route that claims it; True if one did."""
        for route in sorted(self._routes.values(), key=lambda r: r.priority):
            if route.claims(message):
                await route.handle(message)
                return True
        return False
