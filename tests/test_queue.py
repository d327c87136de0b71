"""Issue 15, items 2 and 3: brief jobs on a real Redis, finished by `briefbot worker`s, each
answered exactly once where the user can see it: a retried job sends nothing twice, and a
worker killed with SIGKILL mid-job leaves its job to another."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from itertools import count

import aiohttp
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from bot.config import Settings
from bot.pipeline import Briefer
from bot.queue.broker import BriefQueue
from bot.store.cache import BriefCache
from bot.store.database import Database
from bot.store.pending import PendingBriefs
from bot.telegram.worker import run_worker
from tests.conftest import EXAMPLES
from tests.fakebotapi import TOKEN, FakeBotAPI
from tests.servers import free_port

CHOICE = {"to": "en", "points": 3, "keep": [], "show_original": False}
_redis_databases = count(1)


@pytest.fixture
def queue_url(redis_server) -> str:
    return redis_server.url(next(_redis_databases))   # an empty Redis database for each test


def jobs(outcome: str) -> float:
    """This process's count of brief jobs with `outcome` (the workers here run in-process)."""
    return REGISTRY.get_sample_value("briefbot_brief_jobs_total", {"outcome": outcome}) or 0.0


def answers(api: FakeBotAPI) -> Counter[tuple[int, int]]:
    """Briefs shown, by (chat, status message): each must be 1."""
    return Counter((int(c.params["chat_id"]), int(c.params["message_id"]))
                   for c in api.sent("editMessageText") if "Key figures" in c.params["text"])


async def accept(database: Database, chat_id: int, source_key: str) -> int:
    """What a front end does: the request stored, with the status message it sent."""
    return await PendingBriefs(database).add(chat_id, chat_id, 1000 + chat_id, 5000 + chat_id, source_key, CHOICE,
                                             "en")


async def test_each_brief_job_is_answered_once_even_when_sent_twice(api, database_url, queue_url, tmp_path):
    settings = Settings(telegram_bot_token=TOKEN, telegram_base_url=api.base_url, database_url=database_url,
                        queue_url=queue_url, data_dir=tmp_path, workers=4, health_port=free_port())
    before = {outcome: jobs(outcome) for outcome in ("answered", "answered before")}
    database = await Database.open(database_url)
    queue = await BriefQueue.open(queue_url)
    try:
        source = await BriefCache(database).remember_source(None, (EXAMPLES / "desalination.html").read_text())
        accepted = [await accept(database, chat_id, source.key) for chat_id in range(1, 21)]
        for pending_id in accepted + accepted[:5]:   # five arrive twice, as a redelivered job would
            await queue.put(pending_id)
        worker = asyncio.create_task(run_worker(settings, Briefer(Settings())))
        try:
            await api.wait_for(lambda a: len(answers(a)) == 20, timeout=60)
            await asyncio.sleep(0.5)         # time for a second answer, were one coming
            async with aiohttp.ClientSession() as session:   # the worker's /metrics on its health port
                async with session.get(f"http://127.0.0.1:{settings.health_port}/metrics") as response:
                    exposed = await response.text()
        finally:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        assert set(answers(api).values()) == {1}
        assert set(answers(api)) == {(chat_id, 5000 + chat_id) for chat_id in range(1, 21)}
        assert not api.sent("sendMessage")
        assert jobs("answered") - before["answered"] == 20
        assert jobs("answered before") - before["answered before"] == 5   # the duplicates, recognised
        assert 'briefbot_brief_jobs_total{outcome="answered"}' in exposed and "briefbot_queue_depth" in exposed
        assert await PendingBriefs(database).all() == []
        recorded = await database.fetch_one(text("SELECT count(*) FROM deliveries"))
        assert recorded[0] == 20
    finally:
        await queue.close()
        await database.close()


def fetching(api: FakeBotAPI, chat_id: int) -> bool:
    return any("Fetching" in c.params["text"] for c in api.sent("editMessageText", chat_id))


async def test_a_job_whose_worker_is_killed_is_answered_once_by_another(api, postgres, queue_url, held_page,
                                                                         tmp_path):
    port, released = held_page
    database_url = postgres.database()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_TELEGRAM_BASE_URL": api.base_url,
           "BRIEFBOT_DATABASE_URL": database_url, "BRIEFBOT_QUEUE_URL": queue_url, "BRIEFBOT_CONFIG": "",
           "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_FETCH_ALLOWLIST": "127.0.0.1",
           "BRIEFBOT_FETCH_PORTS": f"80,443,{port}"}
    database = await Database.open(database_url)
    queue = await BriefQueue.open(queue_url)
    cache = BriefCache(database)
    try:
        with open(tmp_path / "worker.log", "wb") as log:
            doomed = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "worker", env=env,
                                                          stdout=asyncio.subprocess.DEVNULL, stderr=log)
        first = await cache.remember_source(f"http://127.0.0.1:{port}/held/1", None)
        await queue.put(await accept(database, 1, first.key))
        await api.wait_for(lambda a: fetching(a, 1), timeout=60)
        doomed.kill()                              # SIGKILL mid-job: the job is never acknowledged
        await doomed.wait()

        settings = Settings(telegram_bot_token=TOKEN, telegram_base_url=api.base_url, database_url=database_url,
                            queue_url=queue_url, data_dir=tmp_path, fetch_allowlist="127.0.0.1",
                            fetch_ports=f"80,443,{port}")
        survivor = asyncio.create_task(run_worker(settings, reclaim_after=1.0))
        released.set()
        await asyncio.sleep(1.5)                   # the killed worker's job is now idle past reclaim_after
        second = await cache.remember_source(f"http://127.0.0.1:{port}/held/2", None)
        await queue.put(await accept(database, 2, second.key))   # traffic goes on
        try:
            await api.wait_for(lambda a: len(answers(a)) == 2, timeout=60)
            await asyncio.sleep(0.5)
        finally:
            survivor.cancel()
            await asyncio.gather(survivor, return_exceptions=True)
        assert answers(api) == Counter({(1, 5001): 1, (2, 5002): 1})
        assert await PendingBriefs(database).all() == []
    finally:
        await queue.close()
        await database.close()


async def test_a_front_end_enqueues_and_two_workers_answer_each_brief_once(api, postgres, queue_url, tmp_path):
    """200 briefs from 50 chats through `briefbot run`'s Application, scaled out on PostgreSQL
    and Redis: the front end only sends the status message; the briefs come from the workers."""
    from tests.botharness import bot_settings, running_bot

    database_url = postgres.database()
    settings = bot_settings(api, tmp_path, database_url=database_url, queue_url=queue_url)
    article = (EXAMPLES / "desalination.en.txt").read_text()
    async with running_bot(settings, Briefer(Settings())):
        workers = [asyncio.create_task(run_worker(settings, Briefer(Settings()))) for _ in range(2)]
        try:
            for round_ in range(4):
                for chat_id in range(1, 51):
                    api.message(chat_id, f"{article}\n\n({round_})")
            await api.wait_for(lambda a: len(answers(a)) == 200, timeout=100)
            await asyncio.sleep(0.5)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
    assert set(answers(api).values()) == {1}            # each brief shown once, in its status message
    assert len(api.sent("sendMessage")) == 200          # the status messages, and nothing more
    assert Counter(chat_id for chat_id, _ in answers(api)) == Counter({chat_id: 4 for chat_id in range(1, 51)})
    database = await Database.open(database_url)
    try:   # the workers answered them all: only a worker records a delivery
        assert (await database.fetch_one(text("SELECT count(*) FROM deliveries")))[0] == 200
    finally:
        await database.close()


async def test_channels_due_in_the_same_minute_are_posted_once_across_two_workers(postgres):
    """20 channels due at once; two workers (each its own engine) claim and post them together."""
    from bot.digests.due import run_due
    from bot.digests.service import DigestDelivery, DigestService
    from bot.pipeline import fetch_policy
    from bot.store.channels import Channel, ChannelStore
    from bot.web.fetch import SafeFetcher
    from tests.feedserver import FeedServer

    feeds = FeedServer()
    await feeds.start()
    database_url = postgres.database()
    instances = [await Database.open(database_url) for _ in range(2)]
    settings = Settings(fetch_allowlist="127.0.0.1", fetch_ports=f"80,443,{feeds.port}")
    fetcher = SafeFetcher(fetch_policy(settings))
    posted: list[int] = []

    async def post(channel: Channel, markup: str) -> int:
        posted.append(channel.chat_id)
        return len(posted)

    async def notify(user_id: int, message: str) -> None:
        raise AssertionError(f"nothing should fail here: {message}")

    try:
        briefer = Briefer(settings, fetcher=fetcher)
        store = ChannelStore(instances[0])
        channels = [-1000 - n for n in range(20)]
        for chat_id in channels:
            await store.save(Channel(chat_id, f"C{chat_id}", owner_id=7, schedule="every 1h"))
            await store.add_feed(chat_id, feeds.url("/a.xml"))
            await store.set_next_run(chat_id, 7200.0)       # all due at 02:00
        workers = [(ChannelStore(database), DigestService(ChannelStore(database), briefer, fetcher,
                                                          DigestDelivery(post, notify), "en"))
                   for database in instances]
        claimed = await asyncio.gather(*(run_due(store, digests, now=7230.0) for store, digests in workers))
        assert sorted(claimed[0] + claimed[1]) == sorted(channels)       # each claimed by one worker
        assert set(posted) == set(channels)
        once = len(posted)
        assert await asyncio.gather(*(run_due(store, digests, now=7260.0) for store, digests in workers)) == [[], []]
        assert len(posted) == once                                       # nothing posted twice
    finally:
        await fetcher.close()
        for database in instances:
            await database.close()
        await feeds.stop()
