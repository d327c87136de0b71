"""What the per-user rate limit (limits' fixed window) costs per brief asked for.

Each admit is one user's request; between two, the event loop runs (as it does between two
updates), so limits' MemoryStorage sweeps its expired counters as it does in the bot: the sweep
walks every counter, so the cost per admit grows with the users inside one window.

    python bench/user_limits.py                          # memory storage
    python bench/user_limits.py --redis redis://127.0.0.1:6379/15   # and Redis (the database is flushed)

Prints admits a second (best of three runs) for 1,000, 4,000 and 16,000 users in the window.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bot.telegram.fairness import UserRateLimit

USERS = (1_000, 4_000, 16_000)


async def admits_per_second(limit: UserRateLimit, users: int) -> float:
    started = time.perf_counter()
    for user in range(users):
        await limit.admit(user)
        await asyncio.sleep(0)   # the loop turns between two updates: limits' sweep runs here
    return users / (time.perf_counter() - started)


async def best_of_three(users: int, redis_url: str = "") -> float:
    rates = []
    for _ in range(3):
        if redis_url:
            from redis.asyncio import Redis

            from bot.queue.budget import SharedStorage

            flush = Redis.from_url(redis_url)
            await flush.flushdb()
            await flush.aclose()
            limit = UserRateLimit(6, window=60, storage=SharedStorage(redis_url))
        else:
            limit = UserRateLimit(6, window=60)
        rates.append(await admits_per_second(limit, users))
        await limit.close()
    return max(rates)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="", help="also measure limits' Redis storage at this URL (flushed)")
    args = parser.parse_args()
    print("| users in the window | memory: admits/s |" + (" Redis: admits/s |" if args.redis else ""))
    print("| --- | --- |" + (" --- |" if args.redis else ""))
    for users in USERS:
        memory = await best_of_three(users)
        redis = f" {await best_of_three(users, args.redis):,.0f} |" if args.redis else ""
        print(f"| {users:,} | {memory:,.0f} |{redis}")


if __name__ == "__main__":
    asyncio.run(main())
