"""The bot's shared wait for job results (bot/work/results.py), on a real Redis.

What must hold: many waits at once get each its own job's result over one blocking connection (not one per
wait); a wait that starts while the shared BLPOP is already blocked is served at once, not after the BLPOP's
timeout; a wait with no result ends empty after its own timeout; closing the waiter ends its task.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from bot.work.codec import deserialize
from bot.work.queue import connect, store_result
from bot.work.results import ResultWaiter


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator:
    client = await connect(redis_url)
    yield client
    await client.aclose()


async def connected_clients(redis) -> int:  # type: ignore[no-untyped-def]
    return len(await redis.client_list())


async def test_many_waits_share_one_blocking_connection(redis) -> None:  # type: ignore[no-untyped-def]
    waiter = ResultWaiter(redis, block_s=2)
    before = await connected_clients(redis)
    jobs = [f"grade:test-{i}" for i in range(60)]
    waits = [asyncio.create_task(waiter.wait(job, 10)) for job in jobs]
    await asyncio.sleep(0.3)  # every wait registered, the BLPOP blocked
    during = await connected_clients(redis)
    for i, job in reversed(list(enumerate(jobs))):
        await store_result(redis, job, {"kind": "grade", "n": i})
    results = await asyncio.wait_for(asyncio.gather(*waits), 10)
    assert [deserialize(raw)["n"] for raw in results] == list(range(60))  # type: ignore[arg-type]
    # 60 blocked BLPOPs of their own would hold 60 connections; the shared one holds one more at most.
    assert during - before <= 1
    await waiter.close()


async def test_a_wait_joining_a_blocked_blpop_is_served_before_its_timeout(redis) -> None:  # type: ignore[no-untyped-def]
    waiter = ResultWaiter(redis, block_s=5)
    first = asyncio.create_task(waiter.wait("grade:first", 10))
    await asyncio.sleep(0.3)  # the shared BLPOP now blocks for up to 5 s on the first job's list only
    began = time.monotonic()
    second = asyncio.create_task(waiter.wait("grade:second", 10))
    await asyncio.sleep(0.1)
    await store_result(redis, "grade:second", {"kind": "grade", "n": 2})
    raw = await asyncio.wait_for(second, 10)
    assert deserialize(raw)["n"] == 2  # type: ignore[arg-type]
    assert time.monotonic() - began < 2.0  # woken, not after the 5 s BLPOP timed out
    await store_result(redis, "grade:first", {"kind": "grade", "n": 1})
    assert deserialize(await asyncio.wait_for(first, 10))["n"] == 1  # type: ignore[arg-type]
    await waiter.close()


async def test_a_wait_without_a_result_ends_empty_after_its_timeout(redis) -> None:  # type: ignore[no-untyped-def]
    waiter = ResultWaiter(redis, block_s=1)
    began = time.monotonic()
    assert await waiter.wait("grade:nobody-runs-this", 0.5) is None
    assert 0.4 < time.monotonic() - began < 1.5
    await waiter.close()


async def test_close_ends_a_blocked_wait_loop(redis) -> None:  # type: ignore[no-untyped-def]
    waiter = ResultWaiter(redis, block_s=5)
    pending = asyncio.create_task(waiter.wait("grade:abandoned", 30))
    await asyncio.sleep(0.3)
    await asyncio.wait_for(waiter.close(), 3)
    pending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pending
