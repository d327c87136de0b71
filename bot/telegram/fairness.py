"""Keeping the bot fair: a bounded queue for model work and a per-user rate limit.

Model work is CPU-bound and runs in threads; letting every update start one would
make all of them slow. A few run at once, a bounded number wait (and are told
their place), and the rest are turned away at once with a clear reply.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class QueueFull(Exception):
    """No room left to wait: the user should try again later."""


class RateLimited(Exception):
    """The user asked for too many briefs in the window; `seconds` until the next one may start."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds


class WorkQueue:
    def __init__(self, workers: int, capacity: int) -> None:
        self._running = asyncio.Semaphore(workers)
        self.capacity = capacity
        self.waiting = 0

    @asynccontextmanager
    async def slot(self, on_queued: Callable[[int], Awaitable[None]] | None = None) -> AsyncIterator[None]:
        """Hold one worker while inside; `on_queued(position)` is awaited when the caller must wait."""
        if self._running.locked():
            if self.waiting >= self.capacity:
                raise QueueFull()
            self.waiting += 1
            try:
                if on_queued is not None:
                    await on_queued(self.waiting)
                await self._running.acquire()
            finally:
                self.waiting -= 1
        else:
            await self._running.acquire()
        try:
            yield
        finally:
            self._running.release()


class UserRateLimit:
    """At most `limit` briefs per user in any `window` seconds."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._recent: dict[int, deque[float]] = defaultdict(deque)

    def wait_time(self, user_id: int) -> float:
        """0 when the user may go ahead now (and counts this brief), else seconds to wait."""
        now = self.clock()
        recent = self._recent[user_id]
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            return recent[0] + self.window - now
        recent.append(now)
        return 0.0

    def admit(self, user_id: int) -> None:
        """Counts one brief for the user, or raises RateLimited when they must wait."""
        wait = self.wait_time(user_id)
        if wait:
            raise RateLimited(math.ceil(wait))
