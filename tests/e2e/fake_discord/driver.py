"""The test-facing side of the fake: act as users (slash commands, clicks, modal submits, messages).

Every interaction is timestamped when dispatched and when the bot first answers it, so tests can
assert Discord's 3-second acknowledgement deadline (`assert_acks_within`).
"""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from . import payloads as p
from .protocol import AUTOCOMPLETE
from .records import Attachment, InteractionRecord, ModalShown, SentMessage
from .server import FakeDiscordServer, RateLimit, Refusal

#: Application command option types (Discord API).
SUB_COMMAND, SUB_COMMAND_GROUP, USER, CHANNEL, ROLE, MENTIONABLE, ATTACHMENT = 1, 2, 6, 7, 8, 9, 11
ACK_DEADLINE_S = 3.0


class FakeDiscord(FakeDiscordServer):
    """A fake Discord plus verbs for tests: `slash`, `click`, `submit_modal`, `user_says`."""

    def add_user(self, username: str) -> dict[str, Any]:
        """A guild member (add before the bot connects, so GUILD_CREATE lists them)."""
        user = p.user(p.snowflake(), username)
        self.users[user["id"]] = user
        return user

    def user_named(self, username: str) -> dict[str, Any]:
        return next(u for u in self.users.values() if u["username"] == username)

    def rate_limit(self, method: str, path: str, *, times: int = 1, retry_after: float = 0.25) -> None:
        """Answer the next `times` `method` requests whose path (after /api/v10) matches the regex `path` with
        HTTP 429 and `retry_after` seconds; `rate_limited` lists them once served."""
        self.rate_limits.append(RateLimit(method, re.compile(path), times, retry_after))

    def refuse(self, method: str, path: str, *, times: int = 1, status: int = 404, code: int = 10015,
               message: str = "Unknown Webhook") -> None:
        """Answer the next `times` `method` requests whose path matches the regex `path` with HTTP `status`
        and Discord's JSON error (default: the 404 an expired interaction token gets); `refused` lists them."""
        self.refusals.append(Refusal(method, re.compile(path), times, status, {"message": message, "code": code}))

    def add_role(self, name: str, *, permissions: str = "0") -> dict[str, Any]:
        """A guild role (add before the bot connects, so GUILD_CREATE lists it); pass its id as a role option."""
        role = p.role(p.snowflake(), name, permissions=permissions, position=len(self.roles) + 1)
        self.roles[role["id"]] = role
        return role

    def add_attachment(self, filename: str, data: bytes) -> Attachment:
        attachment = Attachment(p.snowflake(), filename, data)
        self._attachments[attachment.id] = attachment
        return attachment

    # ------------------------------------------------------------------ reading what the bot did
    def bot_messages(self, channel_id: str | None = None, *, public: bool = False) -> list[SentMessage]:
        """The bot's messages (in one channel); `public`: only what everyone there sees (no ephemerals)."""
        return [m for m in self.messages.values()
                if m.author_id == self.bot_user["id"] and (channel_id is None or m.channel_id == channel_id)
                and not (public and m.ephemeral)]

    def messages_for(self, record: InteractionRecord) -> list[SentMessage]:
        """The response message (if any) and followups of one interaction, in order."""
        ids = [record.response_message_id] if record.response_message_id and record.response_type in (4, 5) else []
        ids += [i for i in record.followup_ids if i not in ids]
        return [self.messages[i] for i in ids if i in self.messages]

    async def wait_for_bot_message(
        self, predicate: Any = None, *, channel_id: str | None = None, after: int = 0, public: bool = False,
        timeout: float = 30.0,
    ) -> SentMessage:
        """The first bot message (by creation order, skipping the first `after`) matching `predicate`."""

        def find() -> SentMessage | None:
            candidates = self.bot_messages(channel_id, public=public)[after:]
            return next((m for m in candidates if not m.loading and (predicate is None or predicate(m))), None)

        return await self.wait_until(find, timeout)

    def assert_acks_within(self, seconds: float = ACK_DEADLINE_S) -> None:
        """Every dispatched interaction got its first response, and within `seconds`."""
        assert self.interactions, "no interaction was dispatched"
        for record in self.interactions.values():
            assert record.ack_seconds is not None, f"interaction {record.id} (type {record.type}) never answered"
            assert record.ack_seconds < seconds, f"interaction {record.id} answered after {record.ack_seconds:.2f}s"

    # ------------------------------------------------------------------ acting as a user
    def _find_command(self, path: list[str]) -> dict[str, Any]:
        for scope in (self.guild_id, "global"):
            for command in self.commands.get(scope, []):
                if command["name"] == path[0]:
                    return command
        raise AssertionError(f"/{path[0]} was never synced; synced: {self.commands}")

    def _slash_data(self, name: str, options: dict[str, Any], *, dm: bool = False) -> dict[str, Any]:
        """The interaction data Discord sends for `/name` with `options`, with the `resolved` objects it adds
        for attachment, user, channel, role and mentionable options (given as an Attachment, or a user, channel
        or role payload or id). In a server a resolved user also comes with its member entry."""
        path = name.split()
        command = self._find_command(path)
        data: dict[str, Any] = {"id": command["id"], "name": path[0], "type": 1}
        node, holder = command, data
        for sub in path[1:]:
            node = next(o for o in node.get("options", []) if o["name"] == sub)
            child = {"name": sub, "type": node["type"], "options": []}
            holder.setdefault("options", []).append(child)
            holder = child
        given: list[dict[str, Any]] = []
        resolved: dict[str, Any] = {}
        for key, value in options.items():
            spec = next((o for o in node.get("options", []) if o["name"] == key), None)
            assert spec is not None, f"/{name} has no option {key!r}"
            kind = spec["type"]
            if kind == ATTACHMENT:
                resolved.setdefault("attachments", {})[value.id] = {
                    "id": value.id, "filename": value.filename, "size": len(value.data),
                    "url": f"http://127.0.0.1:{self.port}/attachments/{value.id}/{value.filename}",
                    "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{value.id}/{value.filename}",
                    "content_type": "text/x-python",
                }
                value = value.id
            elif kind in (USER, CHANNEL, ROLE, MENTIONABLE):
                value = value["id"] if isinstance(value, dict) else str(value)
                self._resolve(resolved, kind, value, dm=dm)
            given.append({"name": key, "type": kind, "value": value})
        holder.setdefault("options", []).extend(given)
        if resolved:
            data["resolved"] = resolved
        return data

    def _resolve(self, resolved: dict[str, Any], kind: int, object_id: str, *, dm: bool) -> None:
        if kind in (USER, MENTIONABLE) and object_id in self.users:
            user = self.users[object_id]
            resolved.setdefault("users", {})[object_id] = user
            if not dm:
                member = {k: v for k, v in p.member(user).items() if k != "user"}
                resolved.setdefault("members", {})[object_id] = member
        elif kind in (ROLE, MENTIONABLE) and object_id in self.roles:
            resolved.setdefault("roles", {})[object_id] = self.roles[object_id]
        elif kind == CHANNEL and object_id in self.channels:
            resolved.setdefault("channels", {})[object_id] = {
                **self.channels[object_id], "permissions": p.ALL_PERMISSIONS}
        else:
            raise AssertionError(f"the fake has no object {object_id} for an option of type {kind}")

    def _interaction_payload(
        self, kind: int, user: dict[str, Any], channel_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        channel = self.channels[channel_id]
        payload: dict[str, Any] = {
            "id": p.snowflake(), "application_id": self.application_id, "type": kind, "data": data,
            "channel_id": channel_id, "channel": channel, "token": secrets.token_urlsafe(24), "version": 1,
            "app_permissions": p.ALL_PERMISSIONS, "locale": "en-US", "entitlements": [],
            "attachment_size_limit": p.ATTACHMENT_SIZE_LIMIT,
        }
        if channel["type"] == p.CHANNEL_DM:
            payload.update(user=user, context=1, authorizing_integration_owners={"0": self.guild_id})
        else:
            guild_id = channel.get("guild_id") or self.guild_id
            payload.update(
                guild_id=guild_id, guild={"id": guild_id, "locale": "en-US", "features": []},
                member=p.member(user, permissions=p.ALL_PERMISSIONS), guild_locale="en-US", context=0,
                authorizing_integration_owners={"0": guild_id},
            )
        return payload

    async def _dispatch_interaction(
        self, payload: dict[str, Any], user: dict[str, Any], *, message_id: str | None = None,
        wait: bool = True,
    ) -> InteractionRecord:
        assert self.connected, "the bot is not connected to the fake gateway"
        record = InteractionRecord(
            id=payload["id"], token=payload["token"], type=payload["type"], user_id=user["id"],
            channel_id=payload["channel_id"], dispatched_at=time.monotonic(), clicked_message_id=message_id,
        )
        self.interactions[record.id] = record
        await self.dispatch("INTERACTION_CREATE", payload)
        if wait:
            await self.wait_until(lambda: record.first_response_at is not None, ACK_DEADLINE_S + 2)
        return record

    def dm_channel_id(self, user: dict[str, Any]) -> str:
        return self.dm_channel_for(user["id"])["id"]

    async def slash(
        self, user: dict[str, Any], name: str, *, channel_id: str | None = None, dm: bool = False,
        permissions: str | None = None, wait: bool = True, **options: Any,
    ) -> InteractionRecord:
        """Invoke `/name` (e.g. "interview start") with options, in a guild channel or the user's DM.
        `permissions`: the invoking member's permission bits in the channel (default: all of them)."""
        channel = self.dm_channel_id(user) if dm else (channel_id or self.general_id)
        payload = self._interaction_payload(2, user, channel, self._slash_data(name, options, dm=dm))
        if permissions is not None and "member" in payload:
            payload["member"]["permissions"] = permissions
        return await self._dispatch_interaction(payload, user, wait=wait)

    async def autocomplete(
        self, user: dict[str, Any], name: str, option: str, typed: str, **options: Any
    ) -> list[dict[str, Any]]:
        """What the bot suggests while `user` types `typed` into `option` of `/name`."""
        data = self._slash_data(name, {**options, option: typed})
        node = data
        while node.get("options") and node["options"][0]["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP):
            node = node["options"][0]
        for given in node["options"]:
            if given["name"] == option:
                given["focused"] = True
        payload = self._interaction_payload(4, user, self.general_id, data)
        record = await self._dispatch_interaction(payload, user)
        assert record.response_type == AUTOCOMPLETE, f"autocomplete answered with type {record.response_type}"
        return record.choices or []

    async def click(
        self, user: dict[str, Any], message: SentMessage, label: str, *, wait: bool = True
    ) -> InteractionRecord:
        """Press the button labelled `label` on `message`."""
        data = {"custom_id": message.button(label), "component_type": 2}
        payload = self._interaction_payload(3, user, message.channel_id, data)
        payload["message"] = self.message_payload(message)
        return await self._dispatch_interaction(payload, user, message_id=message.id, wait=wait)

    async def submit_modal(
        self, user: dict[str, Any], modal: ModalShown, *values: str, wait: bool = True
    ) -> InteractionRecord:
        """Fill the modal's text inputs with `values` (in order) and submit it."""
        ids = modal.text_input_ids()
        assert len(values) <= len(ids), f"modal has {len(ids)} inputs"
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": cid, "value": value}]}
                for cid, value in zip(ids, values, strict=False)]
        channel_id = self.interactions[modal.interaction_id].channel_id
        payload = self._interaction_payload(5, user, channel_id, {"custom_id": modal.custom_id, "components": rows})
        return await self._dispatch_interaction(payload, user, wait=wait)

    async def user_says(self, user: dict[str, Any], content: str, *, channel_id: str) -> SentMessage:
        """A user posts a message (MESSAGE_CREATE), e.g. a typed answer in DMs."""
        message = self._store_message(channel_id, {"content": content}, [], author=user)
        await self.dispatch("MESSAGE_CREATE", self.message_payload(message))
        return message
