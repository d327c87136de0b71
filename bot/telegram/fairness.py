"""Keeping the bot fair: a bounded queue for model work and a per-user rate limit.

Model work is CPU-bound and runs in threads; letting every update start one would
make all of them slow. A few run at once, a bounded number wait (and are told
their place), and the rest are turned away at once with a clear reply. Digests
wait too, behind every user (they are never turned away: they have no one to tell).
Fetching a link is not model work: it has its own, wider gate, so two slow sites
cannot hold the workers while the CPU idles.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Protocol, runtime_checkable

from limits import RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

from bot.config import Settings


class QueueFull(Exception):
    """No room left to wait: the user should try again later."""


class RateLimited(Exception):
    """The user asked for too many briefs in the window; `seconds` until the next one may start.
    `first`: the first refusal of this stretch, the one the user is told about."""

    def __init__(self, seconds: int, first: bool = True) -> None:
        super().__init__(f"wait {seconds} s")
        self.seconds = seconds
        self.first = first


class WorkQueue:
    def __init__(self, workers: int, capacity: int, fetches: int = 16) -> None:
        self.workers = workers
        self.capacity = capacity
        self.fetching = asyncio.Semaphore(fetches)   # links being fetched at once, outside the workers
        self._busy = 0
        self._users: deque[asyncio.Future[None]] = deque()
        self._background: deque[asyncio.Future[None]] = deque()
        self._in_flight: set[asyncio.Task[object]] = set()

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """Marks the current task as a brief being made, so that shutdown can cancel it
        (it is stored, and finished after the restart) instead of waiting for it."""
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            yield
        finally:
            self._in_flight.discard(task)

    def cancel_in_flight(self) -> int:
        """Cancels every brief being made; returns how many there were."""
        tasks = list(self._in_flight)
        for task in tasks:
            task.cancel()
        return len(tasks)

    @property
    def waiting(self) -> int:
        """Users waiting for a worker (digests waiting are not counted)."""
        return len(self._users)

    @asynccontextmanager
    async def slot(self, on_queued: Callable[[int], Awaitable[None]] | None = None,
                   background: bool = False) -> AsyncIterator[None]:
        """Hold one worker while inside; `on_queued(position)` is awaited when the caller must wait.
        A `background` caller (a digest) waits behind every user and is never refused."""
        await self._acquire(on_queued, background)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, on_queued: Callable[[int], Awaitable[None]] | None, background: bool) -> None:
        if self._busy < self.workers and not self._users and not self._background:
            self._busy += 1
            return
        if not background and len(self._users) >= self.capacity:
            raise QueueFull()
        queue = self._background if background else self._users
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(turn)
        try:
            if on_queued is not None:
                await on_queued(len(queue))
            await turn
        except BaseException:
            if turn.done() and not turn.cancelled():
                self._release()  # the worker was already handed over: pass it on
            elif turn in queue:
                queue.remove(turn)
            raise

    def _release(self) -> None:
        """Hands the worker to the next waiter, users first; frees it when no one waits."""
        for queue in (self._users, self._background):
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self._busy -= 1


@runtime_checkable
class Closable(Protocol):
    async def close(self) -> None: ...


class UserRateLimit:
    """At most `limit` briefs per user in a window of `window` seconds that opens with the user's
    first brief (limits' fixed window: one counter per user, which a cached brief gives back).

    The counters live in `storage`: limits' MemoryStorage in one process, which drops a user's
    counter once their window has passed (so memory follows the users of the last window, not
    of all time), or Redis when scaled out, so that every front end counts one user's briefs in
    one window. Counting is one atomic step in either, so a burst of messages cannot slip past.
    A refused user is told once a window (100 quick messages must not become 94 notices
    spending the bot's send budget), whichever front end refuses them."""

    def __init__(self, limit: int, window: int = 60, storage: Storage | None = None) -> None:
        self.storage = storage if storage is not None else MemoryStorage()
        self._counters = FixedWindowRateLimiter(self.storage)
        self._briefs = RateLimitItemPerSecond(limit, window)
        self._notices = RateLimitItemPerSecond(1, window)

    @classmethod
    def for_settings(cls, settings: Settings) -> UserRateLimit:
        """user_briefs_per_minute, in memory, or in queue_url's Redis when the bot is scaled out."""
        if not settings.queue_url:
            return cls(settings.user_briefs_per_minute)
        from bot.queue.budget import SharedStorage  # the `scale` extra: only a scaled-out bot has Redis

        return cls(settings.user_briefs_per_minute, storage=SharedStorage(settings.queue_url))

    async def admit(self, user_id: int) -> None:
        """Counts one brief for the user, or raises RateLimited when they must wait (`first`:
        the first refusal of their window, the one to tell them about)."""
        if await self._counters.hit(self._briefs, "briefs", str(user_id)):
            return
        await self.give_back(user_id)   # a refused brief is not counted: the count stays the briefs made
        window = await self._counters.get_window_stats(self._briefs, "briefs", str(user_id))
        first = await self._counters.hit(self._notices, "notices", str(user_id))
        raise RateLimited(max(1, math.ceil(window.reset_time - time.time())), first)

    async def give_back(self, user_id: int) -> None:
        """Uncounts one of the user's briefs (it came from the cache and cost nothing)."""
        await self._counters.hit(self._briefs, "briefs", str(user_id), cost=-1)

    async def close(self) -> None:
        """Lets go of the storage's connections (a Redis storage's; memory holds none)."""
        if isinstance(self.storage, Closable):
            await self.storage.close()
