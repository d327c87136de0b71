"""Briefs a minute through the task queue with one and with two `briefbot worker` processes.

    python bench/queue_speed.py [--briefs 300] [--workers 1 2]

Real servers on 127.0.0.1, started here and stopped after (tests/servers.py): PostgreSQL 15,
Redis, and the fake Bot API (tests/fakebotapi.py). The jobs are stored and enqueued as a front
end does (distinct texts, so no brief comes from the cache); once every worker reads the stream,
the jobs are enqueued and the clock runs until every delivery is recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.queue.broker import BriefQueue  # noqa: E402
from bot.store.cache import BriefCache  # noqa: E402
from bot.store.database import Database  # noqa: E402
from bot.store.pending import PendingBriefs  # noqa: E402
from tests.fakebotapi import TOKEN, FakeBotAPI  # noqa: E402
from tests.servers import PostgresServer, RedisServer  # noqa: E402

ARTICLE = (ROOT / "bot" / "examples" / "desalination.en.txt").read_text()
CHOICE = {"to": "en", "points": 4, "keep": [], "show_original": False}


async def started_worker(env: dict[str, str]) -> asyncio.subprocess.Process:
    """A `briefbot worker` process, once it says it is up (its imports and connections done)."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "worker", env=env,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    assert process.stderr is not None
    while b"worker is up" not in await process.stderr.readline():
        pass
    asyncio.create_task(process.stderr.read())   # drained from now on, so the worker never blocks on it
    return process


async def measure(workers: int, briefs: int, postgres: PostgresServer, redis: RedisServer, db: int) -> float:
    api = FakeBotAPI()
    await api.start()
    database_url, queue_url = postgres.database(), redis.url(db)
    database = await Database.open(database_url)
    queue = await BriefQueue.open(queue_url)
    cache, pending = BriefCache(database), PendingBriefs(database)
    accepted = []
    for n in range(briefs):
        source = await cache.remember_source(None, f"{ARTICLE}\n\n(copy {n})")
        accepted.append(await pending.add(n + 1, n + 1, 1, 2, source.key, CHOICE, "en"))
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_TELEGRAM_BASE_URL": api.base_url,
           "BRIEFBOT_DATABASE_URL": database_url, "BRIEFBOT_QUEUE_URL": queue_url, "BRIEFBOT_CONFIG": ""}
    processes = list(await asyncio.gather(*(started_worker(env) for _ in range(workers))))
    try:
        await asyncio.sleep(0.5)                          # each reading the stream
        started = time.monotonic()
        for pending_id in accepted:
            await queue.put(pending_id)
        while await delivered(database) < briefs:
            await asyncio.sleep(0.02)
        elapsed = time.monotonic() - started
    finally:
        for process in processes:
            process.kill()
            await process.wait()
        await queue.close()
        await database.close()
        await api.stop()
    return briefs / elapsed * 60


async def delivered(database: Database) -> int:
    row = await database.fetch_one(text("SELECT count(*) FROM deliveries"))
    return int(row[0]) if row else 0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {args.briefs} briefs of an ~{len(ARTICLE.split())}-word article, extractive engine;"
          " timed from the enqueueing of the first job (workers up) to the last delivery")
    with PostgresServer() as postgres, RedisServer() as redis:
        for db, workers in enumerate(args.workers, start=1):
            rate = await measure(workers, args.briefs, postgres, redis, db)
            print(f"| {workers} worker{'s' if workers > 1 else ''} | {rate:,.0f} briefs a minute |")


if __name__ == "__main__":
    asyncio.run(main())
