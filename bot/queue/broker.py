"""The task queue: Taskiq's RedisStreamBroker, a Redis stream read by a consumer group.

A job is acknowledged only once its handler has returned, that is once its answer is
recorded (ack WHEN_EXECUTED); a job whose worker died unacknowledged is claimed by another
worker after `reclaim_after` seconds (XAUTOCLAIM). A job that arrives twice is harmless: the
handler looks up the delivery record first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask
from taskiq.acks import AcknowledgeType
from taskiq.api import run_receiver_task
from taskiq_redis import RedisStreamBroker

BRIEF_TASK = "briefbot.brief"
STREAM = "briefbot:briefs"
GROUP = "briefbot-workers"
RECLAIM_AFTER = 300.0   # seconds: longer than the slowest brief, so a live worker's job is never taken


def make_broker(queue_url: str, reclaim_after: float = RECLAIM_AFTER) -> RedisStreamBroker:
    return RedisStreamBroker(queue_url, queue_name=STREAM, consumer_group_name=GROUP,
                             consumer_id="0", idle_timeout=int(reclaim_after * 1000), xread_block=1000)


def brief_task(broker: AsyncBroker,
               handle: Callable[[int], Awaitable[None]] | None = None,
               ) -> AsyncTaskiqDecoratedTask[[int], Coroutine[Any, Any, None]]:
    """The brief job, by pending-brief id. Front ends only send it (no handler); a worker
    passes the handler that finishes one."""

    async def finish(pending_id: int) -> None:
        if handle is None:
            raise RuntimeError("a front end does not run brief jobs")
        await handle(pending_id)

    return broker.register_task(finish, task_name=BRIEF_TASK)


class BriefQueue:
    """A front end's side of the queue: hands stored pending briefs to the workers."""

    def __init__(self, broker: AsyncBroker) -> None:
        self.broker = broker
        self._task = brief_task(broker)

    @classmethod
    async def open(cls, queue_url: str) -> BriefQueue:
        broker = make_broker(queue_url)
        await broker.startup()
        return cls(broker)

    async def put(self, pending_id: int) -> None:
        await self._task.kiq(pending_id)

    async def close(self) -> None:
        await self.broker.shutdown()


async def work(broker: AsyncBroker, handle: Callable[[int], Awaitable[None]], concurrency: int) -> None:
    """Runs brief jobs until cancelled, `concurrency` at a time."""
    brief_task(broker, handle)
    await broker.startup()
    try:
        await run_receiver_task(broker, max_async_tasks=concurrency, ack_time=AcknowledgeType.WHEN_EXECUTED,
                                run_startup=False)
    finally:
        await asyncio.shield(broker.shutdown())
