"""The task queue: Taskiq's RedisStreamBroker, a Redis stream read by a consumer group.

A job is acknowledged only once its handler has returned, that is once its answer is
recorded (ack WHEN_EXECUTED); a job whose worker died unacknowledged is claimed by another
worker after `reclaim_after` seconds (XAUTOCLAIM), which waits for the job's lease (bot.queue.lease)
in case the first worker still lives. A job that arrives twice is harmless: the handler looks up
the delivery record first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from redis.asyncio import Redis
from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask
from taskiq.acks import AcknowledgeType
from taskiq.api import run_receiver_task
from taskiq_redis import RedisStreamBroker

from bot.queue.lease import LEASE, JobLeases
from bot.queue.metrics import QueueCounts, queue_counts

BRIEF_TASK = "briefbot.brief"
STREAM = "briefbot:briefs"
GROUP = "briefbot-workers"
RECLAIM_AFTER = 300.0   # seconds: longer than the slowest brief, so a live worker's job is never taken
# Jobs the stream keeps, done or not: without a cap Redis keeps every job ever queued. Far more than
# any backlog the front ends let build up, so trimming only ever drops jobs long acknowledged.
KEEP_JOBS = 100_000


def make_broker(queue_url: str, reclaim_after: float = RECLAIM_AFTER, keep_jobs: int = KEEP_JOBS) -> RedisStreamBroker:
    # One job per read, when a slot is free: a job read but left waiting in a busy worker would count
    # as idle towards reclaim_after (taskiq-redis reads 100 at a time by default), be taken by another
    # worker and briefed twice. Reads wait up to 30 s for Redis, not redis-py's 5: a worker whose
    # event loop stalled that long on a starved machine (seen in the tests) would otherwise tear down
    # its receiver, and with it the jobs it was running.
    return RedisStreamBroker(queue_url, queue_name=STREAM, consumer_group_name=GROUP,
                             consumer_id="0", idle_timeout=int(reclaim_after * 1000), xread_block=1000,
                             xread_count=1, socket_timeout=30, maxlen=keep_jobs, approximate=True)


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

    def __init__(self, broker: RedisStreamBroker) -> None:
        self.broker = broker
        self._task = brief_task(broker)

    @classmethod
    async def open(cls, queue_url: str, keep_jobs: int = KEEP_JOBS) -> BriefQueue:
        broker = make_broker(queue_url, keep_jobs=keep_jobs)
        await broker.startup()
        return cls(broker)

    async def put(self, pending_id: int) -> None:
        await self._task.kiq(pending_id)

    async def counts(self) -> QueueCounts:
        """Jobs waiting for a worker and jobs in progress, across all workers."""
        async with Redis(connection_pool=self.broker.connection_pool) as redis:
            return await queue_counts(redis, STREAM, GROUP)

    async def close(self) -> None:
        await self.broker.shutdown()


async def work(broker: RedisStreamBroker, handle: Callable[[int], Awaitable[None]], concurrency: int,
               lease: float = LEASE) -> None:
    """Runs brief jobs until cancelled, `concurrency` at a time, each job in one worker at a time
    (bot.queue.lease: a job taken from a live worker waits for it)."""
    leases = JobLeases(Redis(connection_pool=broker.connection_pool), lease)

    async def alone(pending_id: int) -> None:
        async with leases.hold(f"brief:{pending_id}"):
            await handle(pending_id)

    brief_task(broker, alone)
    await broker.startup()
    try:
        await run_receiver_task(broker, max_async_tasks=concurrency, ack_time=AcknowledgeType.WHEN_EXECUTED,
                                run_startup=False)
    finally:
        await asyncio.shield(broker.shutdown())
