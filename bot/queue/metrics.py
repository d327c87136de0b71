"""The queue's gauges, read from Redis: the consumer group's lag (jobs no worker has taken yet)
and its pending entries (taken, not yet acknowledged). The metrics themselves are bot.metrics'."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.metrics import QUEUE_DEPTH, QUEUE_PENDING


@dataclass(frozen=True)
class QueueCounts:
    waiting: int       # in the stream, delivered to no worker yet
    in_progress: int   # delivered to a worker, not yet acknowledged


async def queue_counts(redis: Redis, stream: str, group: str) -> QueueCounts:
    """The group's counts (zero before the group exists: nothing was ever queued)."""
    if not await redis.exists(stream):
        return QueueCounts(0, 0)
    for info in await redis.xinfo_groups(stream):
        if _text(info["name"]) == group:
            # lag is null only after entries were deleted from the middle of the stream (XDEL), which
            # nothing here does; 0 then keeps the gauge and the position quiet rather than wrong
            return QueueCounts(int(info.get("lag") or 0), int(info["pending"]))
    return QueueCounts(0, 0)


def show(counts: QueueCounts) -> None:
    QUEUE_DEPTH.set(counts.waiting)
    QUEUE_PENDING.set(counts.in_progress)


async def watch_queue(queue_url: str, stream: str, group: str, every: float = 5.0) -> None:
    """Keeps the queue gauges current until cancelled (a worker's; a front end reads them when scraped)."""
    redis = Redis.from_url(queue_url)
    try:
        while True:
            show(await queue_counts(redis, stream, group))
            await asyncio.sleep(every)
    finally:
        await redis.aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
