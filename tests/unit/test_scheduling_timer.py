"""The study timer: sleeps until the next due time, wakes early when told, and always stops."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

from bot.scheduling.clock import ManualClock
from bot.scheduling.timer import WakeableTimer

START = datetime(2026, 1, 1, tzinfo=UTC)


async def test_a_far_due_time_sleeps_until_woken():
    clock = ManualClock(START)
    steps: list[datetime] = []
    asleep = asyncio.Event()  # set each time the timer has asked for the next due time (it sleeps next)

    async def on_due() -> None:
        steps.append(clock.now())

    async def next_due() -> datetime:
        asleep.set()
        return clock.now() + timedelta(hours=1)

    timer = WakeableTimer(lambda: clock, next_due, on_due)
    timer.start()
    await asyncio.wait_for(asleep.wait(), 5)
    assert steps == [START], "one step at start, then asleep for the hour"
    asleep.clear()
    clock.advance(timedelta(minutes=5))
    timer.wake()
    await asyncio.wait_for(asleep.wait(), 5)
    assert steps == [START, START + timedelta(minutes=5)], "woken once: exactly one more step"
    await timer.stop()


async def test_stop_succeeds_even_when_a_step_swallows_the_cancellation():
    clock = ManualClock(START)
    in_step = asyncio.Event()

    async def stubborn_step() -> None:
        in_step.set()
        with contextlib.suppress(asyncio.CancelledError):  # as some libraries do during clean-up
            await asyncio.sleep(10)

    async def next_due() -> datetime:
        return clock.now() + timedelta(hours=1)

    timer = WakeableTimer(lambda: clock, next_due, stubborn_step)
    timer.start()
    task = timer._task
    await in_step.wait()
    await asyncio.wait_for(timer.stop(), timeout=5)  # a hang here is the failure this test guards
    assert task is not None and task.done()
