"""One blocking Redis connection waits for every job result this process awaits.

Workers push each result onto `viva:done:<job id>` (bot/work/queue.py). Instead of one BLPOP per waiting job,
each holding a pooled connection of its own (a burst of a hundred answers opened a hundred connections, and
re-sent a hundred BLPOPs every few seconds), one task BLPOPs every list this process waits on at once, plus a
wake-up list of its own: a wait for a job whose list is not in the BLPOP in flight pushes onto the wake-up list,
so that BLPOP returns at once and is sent again with the new list. Several waits that start together share one
wake-up.

What the task pops for a job nobody waits on any more (its wait ended a moment before) is kept briefly for the
next wait on that job; in any case a worker's result stays readable under `viva:result:<job id>`, which the
queue reads after a wait that ended empty.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import uuid
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

#: Where workers push results (one list per job).
DONE_PREFIX = "viva:done:"
WAKE_PREFIX = "viva:wake:"
#: The wake-up list expires on its own if this process dies without deleting it.
WAKE_TTL_MS = 60_000
#: Popped results nobody was waiting for at that moment, kept for the next wait on the same job.
UNCLAIMED_MAX = 256


class ResultWaiter:
    """Waits for workers' results on one dedicated connection of `redis`'s pool."""

    def __init__(self, redis: Redis, *, block_s: int = 2) -> None:
        self._redis = redis
        self._block_s = block_s
        self._wake_key = f"{WAKE_PREFIX}{uuid.uuid4().hex}"
        self._waiters: dict[str, list[asyncio.Future[bytes | None]]] = {}
        #: job ids whose lists the BLPOP in flight covers (None: no BLPOP in flight)
        self._listening: frozenset[str] | None = None
        self._wake_sent = False
        self._unclaimed: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._task: asyncio.Task[None] | None = None
        self._blocking: Redis | None = None
        self._closed = False

    async def wait(self, job_id: str, timeout_s: float) -> bytes | None:
        """What a worker pushed onto `job_id`'s list within `timeout_s` seconds, or None."""
        if (kept := self._unclaimed.pop(job_id, None)) is not None:
            return kept
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bytes | None] = loop.create_future()
        self._waiters.setdefault(job_id, []).append(future)
        expiry = loop.call_later(timeout_s, _settle, future, None)
        try:
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._listen(), name="viva-result-waiter")
            elif self._listening is not None and job_id not in self._listening and not self._wake_sent:
                await self._wake()
            return await future
        finally:
            expiry.cancel()
            waiting = self._waiters.get(job_id)
            if waiting is not None:
                with contextlib.suppress(ValueError):
                    waiting.remove(future)
                if not waiting:
                    del self._waiters[job_id]

    async def close(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._blocking is not None:
            # A BLPOP cancelled mid-reply leaves its connection unusable: drop it rather than pool it.
            connection = self._blocking.connection
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.disconnect()
            with contextlib.suppress(Exception):
                await self._blocking.aclose()
            self._blocking = None
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            await self._redis.delete(self._wake_key)

    async def _wake(self) -> None:
        """Make the BLPOP in flight return, so it is sent again with the lists of new waits."""
        self._wake_sent = True
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.lpush(self._wake_key, b"1")
                pipe.pexpire(self._wake_key, WAKE_TTL_MS)
                await pipe.execute()
        except (RedisError, OSError, TimeoutError):
            # The wait then ends empty after its timeout and the queue reads the result instead.
            self._wake_sent = False

    async def _listen(self) -> None:
        """BLPOP every awaited job's list (and the wake-up list) until nothing is awaited."""
        failures = 0
        while self._waiters and not self._closed:
            if self._blocking is None:
                self._blocking = self._redis.client()
            jobs = frozenset(self._waiters)
            keys = [self._wake_key, *(DONE_PREFIX + job_id for job_id in jobs)]
            self._listening = jobs
            self._wake_sent = False
            try:
                popped: Any = await self._blocking.blpop(keys, timeout=self._block_s)
            except (RedisError, OSError, TimeoutError) as exc:
                failures += 1
                if failures == 1:
                    log.warning("waiting for job results: Redis error (%s); retrying", type(exc).__name__)
                await asyncio.sleep(min(2.0, 0.1 * 2 ** min(failures, 5)))
                continue
            finally:
                self._listening = None
            failures = 0
            if popped is None:
                continue
            key = popped[0].decode() if isinstance(popped[0], bytes) else str(popped[0])
            if key == self._wake_key:
                continue
            self._deliver(key.removeprefix(DONE_PREFIX), popped[1])

    def _deliver(self, job_id: str, value: bytes) -> None:
        # Dropped from the waits now, so the next BLPOP (sent before the woken waits run) leaves its list out.
        waiting = [f for f in self._waiters.pop(job_id, ()) if not f.done()]
        if not waiting:
            self._unclaimed[job_id] = value
            while len(self._unclaimed) > UNCLAIMED_MAX:
                self._unclaimed.popitem(last=False)
            return
        for future in waiting:
            future.set_result(value)


def _settle(future: asyncio.Future[bytes | None], value: bytes | None) -> None:
    if not future.done():
        future.set_result(value)
