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


class UserRateLimit:
    """At most `limit` briefs per user in any `window` seconds. Users with nothing in the
    window are forgotten (a sweep once a window), so memory follows the users of the last two
windows, not of all time."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._recent: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}   # user → when the stretch they were told about ends
        self._next_sweep = 0.0

    def wait_time(self, user_id: int) -> float:
        """0 when the user may go ahead now (and counts this brief), else seconds to wait."""
        now = self.clock()
        self._sweep(now)
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.limit:
            return recent[0] + self.window - now
        recent.append(now)
        return 0.0

    @property
    def users(self) -> int:
        """Users remembered now."""
        return len(self._recent)

    def _sweep(self, now: float) -> None:
        """At most once a window: forget every user whose last brief is out of the window."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.window
        self._recent = {user: recent for user, recent in self._recent.items()
                        if recent and recent[-1] > now - self.window}
        self._told = {user: until for user, until in self._told.items() if until > now}

    def admit(self, user_id: int) -> None:
        """Counts one brief for the user, or raises RateLimited when they must wait."""
        wait = self.wait_time(user_id)
        if wait:
            first = not self.told(user_id)
            if first:
                self._told[user_id] = self.clock() + wait
            raise RateLimited(math.ceil(wait), first)

    def give_back(self, user_id: int) -> None:
        """Uncounts the user's latest brief (it came from the cache and cost nothing)."""
        recent = self._recent.get(user_id)
        if recent:
            recent.pop()

    def told(self, user_id: int) -> bool:
        """True while the user is refused and has been told so: one notice per stretch is enough
        (100 quick messages must not become 94 notices spending the bot's send budget)."""
        return self._told.get(user_id, 0.0) > self.clock()
