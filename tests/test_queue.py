"""Issue 15, items 2 and 3: brief jobs on a real Redis, finished by `briefbot worker`s, each
answered exactly once where the user can see it: a retried job sends nothing twice, and a
worker killed with SIGKILL mid-job leaves its job to another."""

from __future__ import annotations

import asyncio
import os
import re
import time
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
from bot.store.channels import Channel, ChannelStore
from bot.store.database import Database
from bot.store.pending import PendingBriefs
from bot.telegram.worker import run_worker
from tests.conftest import EXAMPLES
from tests.fakebotapi import TOKEN, FakeBotAPI
from tests.processes import SECRET, Process, front_end_args, post_update, update_for, value, worker_args
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
    """Briefs shown, by (chat, status message): each must be 1. The same edit made again (a retry of
    a call whose answer was slow to come back) shows nothing new, so it is counted once."""
    return Counter((chat_id, message_id) for chat_id, message_id, _ in
                   {(int(c.params["chat_id"]), int(c.params["message_id"]), c.params["text"])
                    for c in api.sent("editMessageText") if "Key figures" in c.params["text"]})


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


RECLAIM_AFTER = 2.0   # a live worker's job taken after this waits for its lease (bot.queue.lease) …
LEASE = 8.0           # … renewed every 1.3 s: a worker would have to stall 6.7 s to lose its job


def statuses(api: FakeBotAPI, chat_id: int) -> list[str]:
    """What the status messages sent to a chat first said."""
    return [c.params["text"] for c in api.sent("sendMessage", chat_id)]


async def test_two_front_ends_and_two_workers_answer_each_request_once_through_a_kill_and_post_each_digest_once(
        api, postgres, queue_url, held_page, feeds, tmp_path):
    """Issue 15, end to end: two `briefbot run --webhook` front ends and two workers, each its own
    process, on PostgreSQL, Redis and the fake Bot API. 200 briefs from 50 chats are each answered
    once; a worker killed with SIGKILL mid-job leaves its job to the other, still answered once;
    20 channels due in the same minute are each posted once. Every process serves /metrics."""
    held_port, released = held_page
    database_url = postgres.database()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_TELEGRAM_BASE_URL": api.base_url,
           "BRIEFBOT_DATABASE_URL": database_url, "BRIEFBOT_QUEUE_URL": queue_url, "BRIEFBOT_CONFIG": "",
           "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_FETCH_ALLOWLIST": "127.0.0.1",
           "BRIEFBOT_FETCH_PORTS": f"80,443,{held_port},{feeds.port}", "BRIEFBOT_WEBHOOK_SECRET": SECRET,
           # the send budget has tests of its own; here it would only make the test wait
           "BRIEFBOT_BOT_SENDS_PER_SECOND": "1000", "BRIEFBOT_CHAT_SENDS_PER_SECOND": "100",
           # jobs at once per worker: they wait on PostgreSQL, Redis and the Bot API as much as they compute
           "BRIEFBOT_WORKERS": "4"}
    front_ends = []
    for name in ("front-1", "front-2"):
        port = free_port()
        front_ends.append(Process(name, front_end_args(port), {**env, "BRIEFBOT_WEBHOOK_PORT": str(port)}, tmp_path))
    workers = [Process(name, worker_args(RECLAIM_AFTER, LEASE), env, tmp_path) for name in ("worker-1", "worker-2")]
    article = (EXAMPLES / "desalination.en.txt").read_text()
    database = await Database.open(database_url)
    channels = ChannelStore(database)
    digest_chats = [-1000 - n for n in range(20)]
    for chat_id in digest_chats:   # due a few seconds ago: the workers claim them as they start
        await channels.save(Channel(chat_id, f"C{chat_id}", owner_id=7, schedule="every 1h"))
        await channels.add_feed(chat_id, feeds.url("/a.xml"))
        await channels.set_next_run(chat_id, time.time() - 5)
    try:
        async with aiohttp.ClientSession() as session:
            processes = [*front_ends, *workers]
            await asyncio.gather(*(process.start() for process in processes))
            updates = [update_for(api, chat_id, f"{article}\n\n({round_})")
                       for round_ in range(4) for chat_id in range(1, 51)]
            await asyncio.gather(*(process.ready(session) for process in processes))
            gate = asyncio.Semaphore(16)   # the load balancer takes turns, and many updates are in flight at once

            async def deliver(number: int, update: dict) -> None:
                async with gate:
                    await post_update(session, front_ends[number % 2], update)

            await asyncio.gather(*(deliver(number, update) for number, update in enumerate(updates)))
            await api.wait_for(lambda a: len(answers(a)) == 200, timeout=90)
            await api.wait_for(lambda a: {int(c.params["chat_id"]) for c in a.sent("sendMessage")} >= set(digest_chats),
                               timeout=30)

            # a worker killed mid-job: the one that took the held link
            await post_update(session, front_ends[0], update_for(api, 999, f"http://127.0.0.1:{held_port}/held/1"))
            doomed, answered_by_doomed = await taking_a_job(session, workers, timeout=20)
            assert doomed.process is not None
            doomed.process.kill()
            await doomed.process.wait()
            survivor = next(worker for worker in workers if worker is not doomed)
            released.set()
            await asyncio.sleep(RECLAIM_AFTER + 0.5)   # the dead worker's job is idle long enough to be taken
            # (and its lease lapses within LEASE)
            await post_update(session, front_ends[1], update_for(api, 998, f"{article}\n\n(after)"))  # traffic goes on
            await api.wait_for(lambda a: len(answers(a)) == 202, timeout=60 + LEASE)
            await asyncio.sleep(0.5)   # time for a second answer, were one coming

            worker_metrics = await survivor.metrics(session)
            front_metrics = [await front_end.metrics(session) for front_end in front_ends]
    finally:
        for process in [*workers, *front_ends]:
            await process.stop()
        released.set()

    assert [key for key, n in answers(api).items() if n > 1] == []   # each brief shown once, in its status message
    assert Counter(chat_id for chat_id, _ in answers(api)) == Counter({**{c: 4 for c in range(1, 51)}, 999: 1,
                                                                        998: 1})
    status_messages = [c for c in api.sent("sendMessage") if int(c.params["chat_id"]) > 0]
    assert len(status_messages) == 202           # one per request, and no brief sent as a message besides
    posts = Counter(int(c.params["chat_id"]) for c in api.sent("sendMessage") if int(c.params["chat_id"]) < 0)
    assert posts == Counter({chat_id: 1 for chat_id in digest_chats})   # each digest posted once
    try:
        assert (await database.fetch_one(text("SELECT count(*) FROM deliveries")))[0] == 202
        assert await PendingBriefs(database).all() == []
    finally:
        await database.close()
    # every process serves its own counts: the survivor's jobs, and what the front ends saw
    # every request briefed by a worker (once, unless a worker stalled past its lease: then twice, the same
    # edit, which the reader cannot tell from one)
    assert answered_by_doomed + value(worker_metrics, "briefbot_brief_jobs_total", outcome="answered") >= 202
    assert value(worker_metrics, "briefbot_briefs_total", outcome="briefed", engine="extractive") >= 2
    assert value(worker_metrics, "briefbot_stage_seconds_count", stage="compose") >= 2
    assert value(worker_metrics, "briefbot_stage_seconds_count", stage="fetch") >= 1    # the held link
    assert value(worker_metrics, "briefbot_stage_seconds_count", stage="render") >= 2
    assert value(worker_metrics, "briefbot_queue_wait_seconds_count") >= 2
    assert all(value(samples, "briefbot_queue_depth") == 0 for samples in front_metrics)


async def taking_a_job(session: aiohttp.ClientSession, workers: list[Process], timeout: float,
                       ) -> tuple[Process, float]:
    """The worker whose /metrics says it is working on a job, and how many jobs it has answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            samples = await worker.metrics(session)
            if value(samples, "briefbot_brief_jobs_running") >= 1:
                return worker, value(samples, "briefbot_brief_jobs_total", outcome="answered")
        await asyncio.sleep(0.05)
    raise AssertionError("no worker took the job")


async def test_a_front_end_tells_each_request_its_place_in_the_queue_when_requests_wait(api, postgres, queue_url,
                                                                                     tmp_path):
    """No worker yet: the scaled-out front end says "you are number N" from the Redis stream (jobs no
    worker has taken), in the status message itself, and its /metrics shows the queue's depth."""
    from tests.botharness import bot_settings, running_bot

    settings = bot_settings(api, tmp_path, database_url=postgres.database(), queue_url=queue_url,
                            health_port=free_port())
    article = (EXAMPLES / "desalination.en.txt").read_text()
    async with running_bot(settings, Briefer(Settings())), aiohttp.ClientSession() as session:
        for chat_id in (1, 2, 3):
            api.message(chat_id, article)
            await api.wait_for(lambda a, c=chat_id: statuses(a, c), timeout=20)
        assert [statuses(api, c)[0] for c in (1, 2, 3)] == [
            "Waiting for my turn…", "Busy: you are number 2 in the queue.", "Busy: you are number 3 in the queue."]
        deadline = time.monotonic() + 10
        while (depth := await queue_depth(session, settings.health_port)) != 3:   # the third job joins just after
            assert time.monotonic() < deadline, depth
            await asyncio.sleep(0.05)


async def queue_depth(session: aiohttp.ClientSession, port: int) -> float | None:
    """The depth gauge on a health port's /metrics (read from the stream as it is scraped); None before it serves."""
    try:
        async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
            body = await response.text()
    except aiohttp.ClientConnectionError:
        return None
    found = re.search(r"^briefbot_queue_depth (\S+)$", body, re.MULTILINE)
    return float(found[1]) if found else None


async def test_the_job_stream_keeps_a_bounded_number_of_jobs(queue_url):
    from redis.asyncio import Redis

    from bot.queue.broker import STREAM

    queue = await BriefQueue.open(queue_url, keep_jobs=10)
    try:
        for pending_id in range(500):
            await queue.put(pending_id)
    finally:
        await queue.close()
    redis = Redis.from_url(queue_url)
    try:
        assert await redis.xlen(STREAM) <= 200   # trimmed by whole stream nodes (100 entries each), not kept all
    finally:
        await redis.aclose()


async def test_a_job_is_worked_on_by_one_worker_while_it_lives_and_by_another_once_it_died(queue_url):
    """The lease behind a reclaimed job: a live worker renews it past its length, so another waits;
    a dead worker's (taken, never renewed nor released) lapses after its length."""
    from redis.asyncio import Redis

    from bot.queue.lease import JobLeases

    redis = Redis.from_url(queue_url)
    leases = JobLeases(redis, lease=0.6)
    order: list[str] = []

    async def work(name: str, seconds: float) -> None:
        async with leases.hold("brief:1"):
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    try:
        first = asyncio.create_task(work("slow", 1.5))   # alive, well past the lease's length
        await asyncio.sleep(0.1)
        await work("reclaimer", 0)
        await first
        assert order == ["slow starts", "slow ends", "reclaimer starts", "reclaimer ends"]

        assert await redis.lock("briefbot:job:brief:2", timeout=0.6).acquire()   # then killed: never renewed
        started = time.monotonic()
        async with leases.hold("brief:2"):
            waited = time.monotonic() - started
        assert 0.3 < waited < 3
    finally:
        await redis.aclose()


async def test_channels_due_in_the_same_minute_are_posted_once_across_two_workers(postgres):
    """20 channels due at once; two workers (each its own engine) claim and post them together."""
    from bot.digests.due import run_due
    from bot.digests.service import DigestDelivery, DigestService
    from bot.pipeline import fetch_policy
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
