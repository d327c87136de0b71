"""Briefs a minute through the whole scaled-out path, with one and with two `briefbot worker` processes.

    python bench/queue_speed.py [--briefs 300] [--workers 1 2] [--front-ends 1]

Real servers on 127.0.0.1, started here and stopped after (tests/servers.py): PostgreSQL 15,
Redis and the fake Bot API (tests/fakebotapi.py); real processes (tests/processes.py):
`briefbot run --webhook` front ends and `briefbot worker`s. Each brief is a user's message
(a distinct pasted article, so none comes from the cache) posted to a front end as Telegram
posts an update; the front end stores it, sends the status message and enqueues it; a worker
briefs it into that status message. The clock runs from the first update posted to the last
brief shown. Telegram's flood limits are raised for the run (the send budget is not what is
measured: 30 messages a second would cap it at 900 briefs a minute); every process and the
servers share this machine's cores, so read the figures as one machine's, not N machines'.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakebotapi import TOKEN, FakeBotAPI  # noqa: E402
from tests.processes import (  # noqa: E402
    SECRET,
    Process,
    front_end_args,
    post_update,
    update_for,
    value,
    worker_args,
)
from tests.servers import PostgresServer, RedisServer, free_port  # noqa: E402

ARTICLE = (ROOT / "bot" / "examples" / "desalination.en.txt").read_text()


def briefs_shown(api: FakeBotAPI) -> int:
    return sum(1 for c in api.sent("editMessageText") if "Key figures" in c.params["text"])


async def measure(workers: int, front_ends: int, briefs: int, postgres: PostgresServer, redis: RedisServer,
                  db: int, folder: Path) -> tuple[float, float]:
    """Briefs a minute, and the workers' mean job time in seconds (from their /metrics)."""
    api = FakeBotAPI()
    await api.start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_TELEGRAM_BASE_URL": api.base_url,
           "BRIEFBOT_DATABASE_URL": postgres.database(), "BRIEFBOT_QUEUE_URL": redis.url(db), "BRIEFBOT_CONFIG": "",
           "BRIEFBOT_DATA_DIR": str(folder), "BRIEFBOT_WEBHOOK_SECRET": SECRET,
           "BRIEFBOT_BOT_SENDS_PER_SECOND": "100000", "BRIEFBOT_CHAT_SENDS_PER_SECOND": "1000"}
    fronts = []
    for n in range(front_ends):
        port = free_port()
        fronts.append(Process(f"front-{n}", front_end_args(port), {**env, "BRIEFBOT_WEBHOOK_PORT": str(port)}, folder))
    processes = [*fronts, *(Process(f"worker-{n}", worker_args(), env, folder) for n in range(workers))]
    updates = [update_for(api, n + 1, f"{ARTICLE}\n\n(copy {n})") for n in range(briefs)]
    try:
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(process.start() for process in processes))
            await asyncio.gather(*(process.ready(session) for process in processes))
            started = time.monotonic()
            for number, update in enumerate(updates):   # as fast as the front ends take them
                await post_update(session, fronts[number % front_ends], update)
            await api.wait_for(lambda a: briefs_shown(a) >= briefs, timeout=briefs * 2)
            elapsed = time.monotonic() - started
            samples = [await process.metrics(session) for process in processes[front_ends:]]
    finally:
        for process in processes:
            await process.stop()
        await api.stop()
    jobs = sum(value(s, "briefbot_brief_job_seconds_count") for s in samples)
    seconds = sum(value(s, "briefbot_brief_job_seconds_sum") for s in samples)
    return briefs / elapsed * 60, seconds / jobs


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=300)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--front-ends", type=int, default=1)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {args.briefs} pasted articles of ~{len(ARTICLE.split())} words, extractive engine, "
          f"{args.front_ends} front end(s); timed from the first update posted to the last brief shown")
    print("| workers | briefs a minute | mean job time (s) |\n| --- | --- | --- |")
    with PostgresServer() as postgres, RedisServer() as redis, tempfile.TemporaryDirectory() as folder:
        for db, workers in enumerate(args.workers, start=1):
            rate, job = await measure(workers, args.front_ends, args.briefs, postgres, redis, db, Path(folder))
            print(f"| {workers} | {rate:,.0f} | {job:.3f} |", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
