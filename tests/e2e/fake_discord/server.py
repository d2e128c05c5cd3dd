"""A Discord-compatible server for offline tests: REST + gateway websocket on 127.0.0.1 (aiohttp).

It implements what a real, unmodified discord.py 2.7 bot uses (docs/notes.md#discord-patterns): login,
application info, command sync, the gateway handshake, messages, threads, DMs, interaction callbacks
and webhook followups. Test code drives it through `FakeDiscord`'s driver methods (driver.py).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from . import payloads as p
from .limits import message_problems
from .records import Attachment, InteractionRecord, ModalShown, SentMessage

Handler = Callable[[web.Request, re.Match[str]], Awaitable[web.StreamResponse]]

#: Discord's JSON error for missing permissions (discord.Forbidden in the client).
MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}


@dataclass
class RateLimit:
    """Answer the next `times` requests matching `method` and `path` (a regex on the path after /api/v10)
    with HTTP 429, as Discord does when a bucket is exhausted."""

    method: str
    path: re.Pattern[str]
    times: int
    retry_after: float


@dataclass
class Refusal:
    """Answer the next `times` requests matching `method` and `path` with an error Discord really sends
    (e.g. 404 "Unknown Webhook" for an interaction token that has expired): discord.py raises at once."""

    method: str
    path: re.Pattern[str]
    times: int
    status: int
    body: dict[str, Any]


def rate_limited_response(retry_after: float) -> web.Response:
    """Discord's 429. discord.py retries after `retry_after` only when a `Via` header is present: a 429
    without one is taken for a Cloudflare ban and raised at once (discord/http.py, webhook/async_.py)."""
    headers = {
        "Content-Type": "application/json", "Via": "1.1 google", "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": "fake-bucket", "X-RateLimit-Scope": "user",
    }
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False, "code": 0}
    return web.Response(body=json.dumps(body).encode(), status=429, headers=headers)


def json_response(data: Any, status: int = 200) -> web.Response:
    # discord.py parses a body only when Content-Type is exactly application/json (no charset).
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


class FakeDiscordServer:
    """State and HTTP/websocket handling. `FakeDiscord` (driver.py) adds the test-facing verbs."""

    def __init__(self) -> None:
        self.application_id = p.snowflake()
        self.bot_user = p.user(self.application_id, "viva", bot=True)
        self.owner = p.user(p.snowflake(), "owner")
        self.guild_id = p.snowflake()
        self.general_id = p.snowflake()
        self.users: dict[str, dict[str, Any]] = {self.owner["id"]: self.owner}
        self.channels: dict[str, dict[str, Any]] = {
            self.general_id: p.text_channel(self.general_id, self.guild_id, "general")
        }
        self.messages: dict[str, SentMessage] = {}
        self.interactions: dict[str, InteractionRecord] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope ("global" or guild id) -> commands
        self.command_syncs: list[str] = []  # scopes, in the order the bot synced them
        self.unknown_routes: list[str] = []
        self.rejected: list[str] = []  # bodies refused for breaking Discord's limits
        self.rate_limits: list[RateLimit] = []  # pending 429s (FakeDiscord.rate_limit)
        self.rate_limited: list[str] = []  # "METHOD /path" of every request answered with 429
        self.refusals: list[Refusal] = []  # pending errors (FakeDiscord.refuse)
        self.refused: list[str] = []  # "METHOD /path" of every request answered with a refusal
        self.allow_threads = True
        self.thread_members: dict[str, set[str]] = {}
        self.roles: dict[str, dict[str, Any]] = {}  # the guild's roles besides @everyone (FakeDiscord.add_role)
        self.deleted_channels: list[dict[str, Any]] = []
        self._attachments: dict[str, Attachment] = {}
        self._sockets: list[web.WebSocketResponse] = []
        #: guild id -> name; the first guild is `guild_id` ("Study Hall"), `add_guild` adds more
        self.guild_names: dict[str, str] = {self.guild_id: "Study Hall"}
        #: the (shard id, shard count) each connection identified with, and of each gateway session
        self._shard_of: dict[web.WebSocketResponse, tuple[int, int]] = {}
        self._session_shards: dict[str, tuple[int, int]] = {}
        #: every IDENTIFY's shard, in order (a bot without sharding identifies as (0, 1))
        self.identified: list[tuple[int, int]] = []
        self._sequence = 0
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("GET", re.compile(r"/users/@me"), self._get_me),
            ("GET", re.compile(r"/oauth2/applications/@me"), self._get_application),
            ("GET", re.compile(r"/gateway(/bot)?"), self._get_gateway),
            ("PUT", re.compile(r"/applications/\d+/commands"), self._put_commands),
            ("PUT", re.compile(r"/applications/\d+/guilds/(?P<guild>\d+)/commands"), self._put_commands),
            ("GET", re.compile(r"/applications/\d+/commands"), self._get_commands),
            ("GET", re.compile(r"/applications/\d+/guilds/(?P<guild>\d+)/commands"), self._get_commands),
            ("POST", re.compile(r"/interactions/(?P<id>\d+)/(?P<token>[^/]+)/callback"), self._callback),
            ("POST", re.compile(r"/webhooks/\d+/(?P<token>[^/]+)"), self._followup),
            ("GET", re.compile(r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)"), self._get_hook),
            ("PATCH", re.compile(r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)"), self._edit_hook),
            ("DELETE", re.compile(r"/webhooks/\d+/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)"), self._del_hook),
            ("POST", re.compile(r"/channels/(?P<cid>\d+)/messages"), self._post_message),
            ("PATCH", re.compile(r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)"), self._edit_message),
            ("POST", re.compile(r"/channels/(?P<cid>\d+)/threads"), self._create_thread),
            ("POST", re.compile(r"/channels/(?P<cid>\d+)/messages/\d+/threads"), self._create_thread),
            ("PUT", re.compile(r"/channels/(?P<cid>\d+)/thread-members/(?P<uid>\d+)"), self._add_thread_member),
            ("POST", re.compile(r"/channels/\d+/typing"), self._no_content),
            ("GET", re.compile(r"/channels/(?P<cid>\d+)"), self._get_channel),
            ("DELETE", re.compile(r"/channels/(?P<cid>\d+)"), self._delete_channel),
            ("POST", re.compile(r"/users/@me/channels"), self._open_dm),
        ]

    # ------------------------------------------------------------------ lifecycle
    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_get("/attachments/{id}/{name}", self._get_attachment)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until `predicate()` is truthy (re-checked on every change the bot makes); return it."""

        async def wait() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(wait(), timeout)

    # ------------------------------------------------------------------ gateway
    @property
    def connected(self) -> bool:
        return any(not ws.closed for ws in self._sockets)

    @staticmethod
    def shard_for(guild_id: str | None, shard_count: int) -> int:
        """Discord's rule: a guild's events go to shard (guild_id >> 22) % shard_count; DMs to shard 0."""
        return 0 if guild_id is None else (int(guild_id) >> 22) % shard_count

    def _serves(self, ws: web.WebSocketResponse, guild_id: str | None) -> bool:
        shard_id, shard_count = self._shard_of.get(ws, (0, 1))
        return self.shard_for(guild_id, shard_count) == shard_id

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        self._sequence += 1
        if not ws.closed:
            await ws.send_str(json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data}))

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send an event to the connection(s) of the shard its guild belongs to (DMs: shard 0)."""
        guild_id = data.get("guild_id") if isinstance(data, dict) else None
        for ws in list(self._sockets):
            if self._serves(ws, guild_id):
                await self._send(ws, event, data)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        # Plain text frames: discord.py only decompresses binary ones, whatever `compress=` it asked for.
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif frame["op"] == 2:
                shard = frame["d"].get("shard") or [0, 1]
                self._shard_of[ws] = (int(shard[0]), int(shard[1]))
                self.identified.append(self._shard_of[ws])
                self._sockets.append(ws)
                await self._send_ready(ws)
                await self._notify()
            elif frame["op"] == 6:
                self._shard_of[ws] = self._session_shards.get(frame["d"].get("session_id"), (0, 1))
                self._sockets.append(ws)
                await self._send(ws, "RESUMED", {})
        if ws in self._sockets:
            self._sockets.remove(ws)
        self._shard_of.pop(ws, None)
        await self._notify()
        return ws

    def add_guild(self, name: str, *, shard_id: int = 0, shard_count: int = 1) -> tuple[str, str]:
        """Another server with a #general channel, whose id puts it on `shard_id` of `shard_count`.
        Returns (guild id, general channel id)."""
        raw = int(p.snowflake())
        timestamp = raw >> 22
        timestamp += (shard_id - timestamp) % shard_count  # move forward to the wanted shard
        guild_id = str((timestamp << 22) | (raw & 0x3FFFFF))
        assert self.shard_for(guild_id, shard_count) == shard_id
        channel_id = p.snowflake()
        self.guild_names[guild_id] = name
        self.channels[channel_id] = p.text_channel(channel_id, guild_id, "general")
        return guild_id, channel_id

    def guild_payload(self, guild_id: str | None = None) -> dict[str, Any]:
        guild_id = guild_id or self.guild_id
        members = [p.member(self.bot_user)] + [p.member(u) for u in self.users.values()]
        channels = [c for c in self.channels.values()
                    if c["type"] == p.CHANNEL_GUILD_TEXT and c.get("guild_id") == guild_id]
        data = p.guild(guild_id, self.guild_names[guild_id], self.owner["id"], channels=channels, members=members,
                       roles=list(self.roles.values()))
        data["threads"] = [c for c in self.channels.values() if c["type"] in (11, 12) and c.get("guild_id") == guild_id]
        return data

    async def _send_ready(self, ws: web.WebSocketResponse) -> None:
        """READY and a GUILD_CREATE for each guild of the shard this connection identified as."""
        guilds = [g for g in self.guild_names if self._serves(ws, g)]
        session_id = p.snowflake()
        self._session_shards[session_id] = self._shard_of.get(ws, (0, 1))
        shard = self._shard_of.get(ws)
        await self._send(ws, "READY", {
            "v": 10, "user": self.bot_user, "session_id": session_id, "resume_gateway_url": self.gateway_url,
            "guilds": [{"id": g, "unavailable": True} for g in guilds], "private_channels": [],
            "relationships": [], "presences": [], "application": {"id": self.application_id, "flags": 0},
            **({"shard": list(shard)} if shard else {}),
        })
        for guild_id in guilds:
            await self._send(ws, "GUILD_CREATE", self.guild_payload(guild_id))

    # ------------------------------------------------------------------ REST plumbing
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        for limit in self.rate_limits:
            if limit.times > 0 and limit.method == request.method and limit.path.fullmatch(path):
                limit.times -= 1
                self.rate_limited.append(f"{request.method} {path}")
                return rate_limited_response(limit.retry_after)
        for refusal in self.refusals:
            if refusal.times > 0 and refusal.method == request.method and refusal.path.fullmatch(path):
                refusal.times -= 1
                self.refused.append(f"{request.method} {path}")
                await self._notify()
                return json_response(refusal.body, refusal.status)
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if match and method == request.method:
                response = await handler(request, match)
                await self._notify()
                return response
        self.unknown_routes.append(f"{request.method} {path}")
        return json_response({"message": f"fake Discord: unknown route {request.method} {path}", "code": 0}, 404)

    async def _read_body(self, request: web.Request) -> tuple[dict[str, Any], list[Attachment]]:
        """JSON body, or multipart with `payload_json` and `files[n]` parts (discord.py's file uploads)."""
        if not request.content_type.startswith("multipart/"):
            raw = await request.read()
            return (json.loads(raw) if raw else {}), []
        body: dict[str, Any] = {}
        files: list[Attachment] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if part.name == "payload_json":  # type: ignore[union-attr]
                body = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                files.append(Attachment(p.snowflake(), part.filename or "file", bytes(await part.read())))  # type: ignore[union-attr]
        return body, files

    def _store_message(
        self, channel_id: str, body: dict[str, Any], files: list[Attachment], *, author: dict[str, Any],
        interaction_id: str | None = None, flags: int | None = None, loading: bool = False,
    ) -> SentMessage:
        for attachment in files:
            self._attachments[attachment.id] = attachment
        message = SentMessage(
            id=p.snowflake(), channel_id=channel_id, author_id=author["id"], content=body.get("content") or "",
            embeds=body.get("embeds") or [], components=body.get("components") or [],
            flags=int(body.get("flags") or 0) if flags is None else flags, attachments=files,
            allowed_mentions=body.get("allowed_mentions"), interaction_id=interaction_id, loading=loading,
        )
        self.messages[message.id] = message
        return message

    def message_payload(self, message: SentMessage) -> dict[str, Any]:
        author = self.bot_user if message.author_id == self.bot_user["id"] else self.users[message.author_id]
        channel = self.channels.get(message.channel_id, {})
        attachments = [
            {"id": a.id, "filename": a.filename, "size": len(a.data), "content_type": "text/x-python",
             "url": f"http://127.0.0.1:{self.port}/attachments/{a.id}/{a.filename}",
             "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{a.id}/{a.filename}"}
            for a in message.attachments
        ]
        return p.message(
            message.id, message.channel_id, author, content=message.content, guild_id=channel.get("guild_id"),
            embeds=message.embeds, components=message.components, attachments=attachments,
            flags=message.flags, interaction_id=message.interaction_id,
        )

    async def _no_content(self, request: web.Request, match: re.Match[str]) -> web.Response:
        return web.Response(status=204)

    def _invalid(self, body: dict[str, Any]) -> web.Response | None:
        """Discord's 400 Invalid Form Body for a message over its limits (and remember why)."""
        problems = message_problems(body)
        if not problems:
            return None
        self.rejected += problems
        return json_response({"message": "Invalid Form Body", "code": 50035, "errors": problems}, 400)

    # ------------------------------------------------------------------ REST: identity and commands
    async def _get_me(self, request: web.Request, match: re.Match[str]) -> web.Response:
        return json_response(self.bot_user)

    async def _get_application(self, request: web.Request, match: re.Match[str]) -> web.Response:
        return json_response({
            "id": self.application_id, "name": "Viva", "description": "", "icon": None, "bot_public": True,
            "bot_require_code_grant": False, "owner": self.owner, "verify_key": "00", "flags": 0, "team": None,
        })

    async def _get_gateway(self, request: web.Request, match: re.Match[str]) -> web.Response:
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}})

    async def _put_commands(self, request: web.Request, match: re.Match[str]) -> web.Response:
        scope = match.groupdict().get("guild") or "global"
        body, _ = await self._read_body(request)
        stored = [{**cmd, "id": p.snowflake(), "application_id": self.application_id, "version": p.snowflake()}
                  for cmd in body]
        self.commands[scope] = stored
        self.command_syncs.append(scope)
        return json_response(stored)

    async def _get_commands(self, request: web.Request, match: re.Match[str]) -> web.Response:
        return json_response(self.commands.get(match.groupdict().get("guild") or "global", []))

    # ------------------------------------------------------------------ REST: interactions and webhooks
    def _interaction_by_token(self, token: str) -> InteractionRecord:
        return next(i for i in self.interactions.values() if i.token == token)

    async def _callback(self, request: web.Request, match: re.Match[str]) -> web.Response:
        record = self.interactions[match["id"]]
        if record.first_response_at is not None:
            return json_response({"message": "Interaction has already been acknowledged.", "code": 40060}, 400)
        record.first_response_at = time.monotonic()
        body, files = await self._read_body(request)
        kind, data = int(body["type"]), body.get("data") or {}
        if kind in (4, 7) and (invalid := self._invalid(data)):
            return invalid
        record.response_type = kind
        result: dict[str, Any] = {"interaction": {"id": record.id, "type": record.type}}
        message: SentMessage | None = None
        if kind in (4, 5):  # a new message, or "thinking…" that a followup fills in
            flags = int(data.get("flags") or 0)
            message = self._store_message(record.channel_id, data, files, author=self.bot_user,
                                          interaction_id=record.id, flags=flags, loading=kind == 5)
        elif kind in (6, 7):  # update the message the component was on
            message = self.messages[record.clicked_message_id or ""]
            if kind == 7:
                self._edit(message, data, files)
        elif kind == 8:
            record.choices = data.get("choices", [])
        elif kind == 9:
            record.modal = ModalShown(record.id, data["custom_id"], data.get("title", ""), data.get("components", []))
        if message is not None:
            record.response_message_id = message.id
            result["interaction"].update(response_message_id=message.id, response_message_loading=message.loading,
                                         response_message_ephemeral=message.ephemeral)
            result["resource"] = {"type": kind, "message": self.message_payload(message)}
        return json_response(result)

    def _edit(self, message: SentMessage, body: dict[str, Any], files: list[Attachment]) -> None:
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body:
                setattr(message, key, body[key] if body[key] is not None else ([] if key != "content" else ""))
        if files:
            for attachment in files:
                self._attachments[attachment.id] = attachment
            message.attachments = files
        message.loading = False
        message.edits += 1

    async def _followup(self, request: web.Request, match: re.Match[str]) -> web.Response:
        record = self._interaction_by_token(match["token"])
        body, files = await self._read_body(request)
        if invalid := self._invalid(body):
            return invalid
        original = self.messages.get(record.response_message_id or "")
        if original is not None and original.loading:  # the first followup after a defer fills "thinking…"
            self._edit(original, body, files)
            original.flags |= int(body.get("flags") or 0)
            message = original
        else:
            message = self._store_message(record.channel_id, body, files, author=self.bot_user,
                                          interaction_id=record.id)
        record.followup_ids.append(message.id)
        return json_response(self.message_payload(message))

    def _hook_message(self, match: re.Match[str]) -> SentMessage:
        record = self._interaction_by_token(match["token"])
        return self.messages[record.response_message_id if match["mid"] == "@original" else match["mid"]]

    async def _get_hook(self, request: web.Request, match: re.Match[str]) -> web.Response:
        return json_response(self.message_payload(self._hook_message(match)))

    async def _edit_hook(self, request: web.Request, match: re.Match[str]) -> web.Response:
        message = self._hook_message(match)
        body, files = await self._read_body(request)
        if invalid := self._invalid(body):
            return invalid
        self._edit(message, body, files)
        return json_response(self.message_payload(message))

    async def _del_hook(self, request: web.Request, match: re.Match[str]) -> web.Response:
        self.messages.pop(self._hook_message(match).id, None)
        return web.Response(status=204)

    # ------------------------------------------------------------------ REST: channels, threads, DMs
    async def _post_message(self, request: web.Request, match: re.Match[str]) -> web.Response:
        if match["cid"] not in self.channels:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        body, files = await self._read_body(request)
        if invalid := self._invalid(body):
            return invalid
        message = self._store_message(match["cid"], body, files, author=self.bot_user)
        payload = self.message_payload(message)
        await self.dispatch("MESSAGE_CREATE", payload)  # real Discord echoes the bot's own messages
        return json_response(payload)

    async def _edit_message(self, request: web.Request, match: re.Match[str]) -> web.Response:
        message = self.messages[match["mid"]]
        body, files = await self._read_body(request)
        if invalid := self._invalid(body):
            return invalid
        self._edit(message, body, files)
        return json_response(self.message_payload(message))

    async def _create_thread(self, request: web.Request, match: re.Match[str]) -> web.Response:
        if not self.allow_threads:
            return json_response(MISSING_PERMISSIONS, 403)
        body, _ = await self._read_body(request)
        thread_id = p.snowflake()
        thread = p.thread_channel(thread_id, self.channels[match["cid"]].get("guild_id", self.guild_id), match["cid"], body.get("name", "thread"),
                                  self.bot_user["id"], private=body.get("type") == p.CHANNEL_PRIVATE_THREAD)
        self.channels[thread_id] = thread
        self.thread_members[thread_id] = {self.bot_user["id"]}
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return json_response(thread, 201)

    async def _add_thread_member(self, request: web.Request, match: re.Match[str]) -> web.Response:
        self.thread_members.setdefault(match["cid"], set()).add(match["uid"])
        return web.Response(status=204)

    async def _get_channel(self, request: web.Request, match: re.Match[str]) -> web.Response:
        channel = self.channels.get(match["cid"])
        if channel is None:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        return json_response(channel)

    async def _delete_channel(self, request: web.Request, match: re.Match[str]) -> web.Response:
        channel = self.channels.pop(match["cid"], None)
        if channel is None:
            return json_response({"message": "Unknown Channel", "code": 10003}, 404)
        self.deleted_channels.append(channel)
        if channel["type"] in (p.CHANNEL_PUBLIC_THREAD, p.CHANNEL_PRIVATE_THREAD):
            await self.dispatch("THREAD_DELETE", {k: channel[k] for k in ("id", "guild_id", "parent_id", "type")})
        return json_response(channel)

    async def _open_dm(self, request: web.Request, match: re.Match[str]) -> web.Response:
        body, _ = await self._read_body(request)
        return json_response(self.dm_channel_for(str(body["recipient_id"])))

    def dm_channel_for(self, user_id: str) -> dict[str, Any]:
        for channel in self.channels.values():
            if channel["type"] == p.CHANNEL_DM and channel["recipients"][0]["id"] == user_id:
                return channel
        channel_id = p.snowflake()
        self.channels[channel_id] = p.dm_channel(channel_id, self.users[user_id])
        return self.channels[channel_id]

    async def _get_attachment(self, request: web.Request) -> web.Response:
        attachment = self._attachments[request.match_info["id"]]
        return web.Response(body=attachment.data, headers={"Content-Type": "application/octet-stream"})
