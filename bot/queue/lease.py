"""One worker at a time on a brief job: a lease in Redis, renewed while the worker lives.

The stream gives a job whose worker looks dead (unacknowledged for `reclaim_after`) to
another worker. But "looks dead" is a guess from time: a live worker on a slow brief, or on
a machine stalled for a moment, looks the same, and two workers briefing one request would
show its answer twice. So the taking worker first takes the job's lease (a Redis lock):
while the first worker lives it renews the lease every sixth of its length, and the second
waits; when the first finishes, the second finds the delivery recorded and sends nothing;
when the first has died, its lease lapses within `LEASE` seconds and the second answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.exceptions import LockError

log = logging.getLogger(__name__)
# Seconds a dead worker's job stays locked, renewed six times as often while its worker lives: a
# worker whose event loop stalls that long (a machine starved of CPU) loses the job to another. A
# dead worker's job is claimed after RECLAIM_AFTER (5 minutes) anyway, so a long lease costs nothing.
LEASE = 30.0


class JobLeases:
    def __init__(self, redis: Redis, lease: float = LEASE) -> None:
        self.redis = redis
        self.lease = lease

    @contextlib.asynccontextmanager
    async def hold(self, job: str) -> AsyncIterator[None]:
        """Inside, this worker alone works on `job` (waiting first while a live worker has it)."""
        lock = self.redis.lock(f"briefbot:job:{job}", timeout=self.lease, sleep=0.05, thread_local=False)
        await lock.acquire()
        renewing = asyncio.create_task(self._renew(lock))
        try:
            yield
        finally:
            renewing.cancel()
            with contextlib.suppress(LockError):   # lapsed meanwhile (a stall longer than the lease)
                await lock.release()

    async def _renew(self, lock: Lock) -> None:
        while True:
            await asyncio.sleep(self.lease / 6)
            try:
                await lock.reacquire()
            except LockError:   # this worker stalled past its lease: another may have the job now
                log.warning("lease on %s lapsed while working on it", lock.name)
                return
