"""The bot's side of the work queue: admission, enqueue once, await the result, survive Redis hiccups.

Result delivery does not rely on arq's own result records: the worker function itself stores its
result under `viva:result:<job id>` with SET NX (the first result wins, so a job that ran twice after a
worker died still has exactly one result) and pushes to `viva:done:<job id>`; the bot blocks on that list
(BLPOP, a few seconds at a time, shorter than the socket timeout; one BLPOP on one connection covers every
job the process waits for: bot/work/results.py). The worker pushes the winning result itself onto that
list (a marker, from older workers), so a woken waiter usually has its result without another read; after
a wait that timed out it reads `viva:result:<job id>`. A timeout, a dropped connection or a Redis restart
only costs a retry of the wait; a job Redis lost (not queued, not running, no result) is enqueued again
under the same id.

Admission is one round trip (a Lua script, atomic): a cached result is returned at once; a job already
queued or running under the same id is only waited for; else a full queue answers Busy, and otherwise the
job is written exactly as arq's `enqueue_job` writes it. Running the script again after a lost reply is
harmless: the job it enqueued is then "already queued".
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from arq.connections import ArqRedis
from arq.constants import in_progress_key_prefix, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError

from bot.sandbox.api import Busy
from bot.work.codec import deserialize, serialize
from bot.work.results import DONE_PREFIX, ResultWaiter

log = logging.getLogger(__name__)

RESULT_PREFIX = "viva:result:"
#: Results and done-markers outlive any wait for them.
RESULT_TTL_S = 3600
#: redis-py socket timeout for every command; BLPOP waits are kept well under it.
SOCKET_TIMEOUT_S = 5.0
BLOCK_S = 2
#: A job Redis lost is enqueued again at most this many times before the caller gets WorkFailed.
MAX_REQUEUES = 3
#: What older workers push onto `viva:done:<job id>` instead of the result.
DONE_MARKER = b"1"

#: KEYS: our result, the queue, arq's job record, arq's result. ARGV: limit, expiry (ms), job, score, job id.
#: Returns {0} enqueued, {1, result} cached, {2} already queued or running, {3, depth} full.
_ADMIT = """
local cached = redis.call('GET', KEYS[1])
if cached then return {1, cached} end
if redis.call('EXISTS', KEYS[3], KEYS[4]) > 0 then return {2} end
local depth = redis.call('ZCARD', KEYS[2])
if depth >= tonumber(ARGV[1]) then return {3, depth} end
redis.call('PSETEX', KEYS[3], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return {0}
"""

#: KEYS: the result, the done list. ARGV: the result, its TTL (s). Keeps the first result (SET NX) and pushes
#: that one, whoever stored it, to the waiter. Returns 1 if this result won.
_STORE = """
local stored = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
redis.call('RPUSH', KEYS[2], redis.call('GET', KEYS[1]))
redis.call('EXPIRE', KEYS[2], ARGV[2])
if stored then return 1 end
return 0
"""


class QueueUnavailable(Exception):
    """Redis cannot be reached at start-up; the message is one line naming REDIS_URL."""


class WorkFailed(Exception):
    """The job failed in the worker (or kept getting lost); the message says why, for the log."""


class WorkTimeout(Exception):
    """No result within WORKER_WAIT_S."""


def describe(url: str) -> str:
    """host:port/db of a Redis URL, without credentials."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}{parts.path or '/0'}"


def make_redis(url: str) -> ArqRedis:
    pool = ConnectionPool.from_url(url, socket_timeout=SOCKET_TIMEOUT_S, socket_connect_timeout=3.0,
                                   retry_on_timeout=True, health_check_interval=15)
    return ArqRedis(pool_or_conn=pool, job_serializer=serialize, job_deserializer=deserialize)


async def connect(url: str) -> ArqRedis:
    """A client for REDIS_URL that has answered a PING, or QueueUnavailable (one line)."""
    redis = make_redis(url)
    try:
        await asyncio.wait_for(redis.ping(), 5.0)
    except (RedisError, OSError, TimeoutError) as exc:
        await redis.aclose()
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise QueueUnavailable(f"cannot reach Redis at {describe(url)} (REDIS_URL): {detail}; "
                               "start Redis or fix REDIS_URL") from None
    return redis


class WorkQueue:
    """Submit a job to a named queue and await its result (a plain dict), once."""

    def __init__(self, redis: ArqRedis, *, wait_s: float = 120.0) -> None:
        self.redis = redis
        self.wait_s = wait_s
        self._admit = redis.register_script(_ADMIT)
        self._results = ResultWaiter(redis, block_s=BLOCK_S)

    async def close(self) -> None:
        await self._results.close()
        await self.redis.aclose()

    async def depth(self, queue: str) -> int:
        """Jobs queued or running on `queue` (arq keeps a job in the set until it is done)."""
        return int(await self._retrying(lambda: self.redis.zcard(queue)))

    async def run(self, queue: str, function: str, payload: dict[str, Any], *, job_id: str, limit: int,
                  retry_after: Callable[[int], float]) -> dict[str, Any]:
        """Admit (Busy when `limit` jobs are already waiting), enqueue under `job_id`, await the result."""
        enqueued_ms = timestamp_ms()
        job = serialize_job(function, (payload,), {}, None, enqueued_ms, serializer=self.redis.job_serializer)
        keys = [RESULT_PREFIX + job_id, queue, job_key_prefix + job_id, result_key_prefix + job_id]
        args = [limit, self.redis.expires_extra_ms, job, enqueued_ms, job_id]
        admitted = await self._retrying(lambda: self._admit(keys=keys, args=args))
        outcome = int(admitted[0])
        if outcome == 1:
            return self._decoded(admitted[1])
        if outcome == 3:
            raise Busy(retry_after(int(admitted[1])))
        return await self._await(queue, function, payload, job_id)

    async def _await(self, queue: str, function: str, payload: dict[str, Any], job_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.wait_s
        requeued = 0
        failures = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WorkTimeout(f"no result for job {job_id} after {self.wait_s:.0f} s")
            try:
                popped = await self._results.wait(job_id, min(BLOCK_S, max(1.0, remaining)))
                if popped is None:  # the wait timed out: done meanwhile, or lost?
                    result, lost = await self._probe(queue, job_id)
                elif popped != DONE_MARKER:
                    return self._decoded(popped)  # the stored result itself
                else:  # an older worker's marker
                    result, lost = await self._result_once(job_id), False
                if result is not None:
                    return result
                if lost:
                    requeued += 1
                    if requeued > MAX_REQUEUES:
                        raise WorkFailed(f"job {job_id} was lost or failed {MAX_REQUEUES} times")
                    log.warning("job %s on %s was lost (no worker has it, no result): enqueued again", job_id, queue)
                    await self.redis.enqueue_job(function, payload, _job_id=job_id, _queue_name=queue)
                failures = 0
            except (RedisError, OSError, TimeoutError) as exc:
                failures += 1
                if failures == 1:
                    log.warning("waiting for job %s: Redis error (%s); retrying", job_id, type(exc).__name__)
                await asyncio.sleep(min(2.0, 0.1 * 2 ** min(failures, 5)))

    async def _probe(self, queue: str, job_id: str) -> tuple[dict[str, Any] | None, bool]:
        """(the job's result if there is one, whether it is lost), in one round trip. Lost: not queued, not
        running, no result (Redis lost it, or arq gave up on it: timeout, max tries). The result is read last:
        a worker stores it before arq drops the job's records, so a job seen gone has its result seen here."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.exists(job_key_prefix + job_id)
            pipe.exists(in_progress_key_prefix + job_id)
            pipe.zscore(queue, job_id)
            pipe.get(RESULT_PREFIX + job_id)
            job, running, score, raw = await pipe.execute()
        if raw is not None:
            return self._decoded(raw), False
        return None, not job and not running and score is None

    async def _result_once(self, job_id: str) -> dict[str, Any] | None:
        raw = await self.redis.get(RESULT_PREFIX + job_id)
        return None if raw is None else self._decoded(raw)

    @staticmethod
    def _decoded(raw: bytes) -> dict[str, Any]:
        result = deserialize(raw)
        if "error" in result and result.get("kind") == "failed":
            raise WorkFailed(str(result["error"]))
        return result

    async def _retrying(self, call: Callable[[], Any], attempts: int = 5) -> Any:
        """A short Redis command, retried through a dropped connection (not through a long outage)."""
        for attempt in range(attempts):
            try:
                return await call()
            except (RedisError, OSError, TimeoutError):
                if attempt == attempts - 1:
                    raise
                await asyncio.sleep(0.1 * 2 ** attempt)
        raise AssertionError("unreachable")


async def store_result(redis: Any, job_id: str, result: dict[str, Any]) -> bool:
    """Worker side: keep the first result of `job_id` (SET NX) and hand that one to its waiter. True if this
    one won."""
    stored = await redis.eval(_STORE, 2, RESULT_PREFIX + job_id, DONE_PREFIX + job_id, serialize(result),
                              RESULT_TTL_S)
    return bool(stored)
