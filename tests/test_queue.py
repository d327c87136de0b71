"""Issue 15, items 2 and 3: brief jobs on a real Redis, finished by `briefbot worker`s, each
answered exactly once where the user can see it: a retried job sends nothing twice, and a
worker killed with SIGKILL mid-job leaves its job to another."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from itertools import count
from pathlib import Path

import aiohttp
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.config import Settings
from bot.pipeline import Briefer
from bot.queue.broker import BriefQueue
from bot.store.cache import BriefCache
from bot.store.channels import Channel, ChannelStore
from bot.store.database import Database
from bot.store.pending import PendingBriefs
from bot.telegram.webhook import SECRET_HEADER
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


FRONT_END = ["-m", "bot", "run"]
# `briefbot worker` as the CLI runs it, with a reclaim time the test can wait for (5 minutes by default)
WORKER = ["-c", "import asyncio, sys\nfrom bot.config import Settings\nfrom bot.telegram.worker import run_worker\n"
                "asyncio.run(run_worker(Settings.load(), reclaim_after=float(sys.argv[1])))"]
RECLAIM_AFTER = 2.0   # a live worker's job taken after this waits for its lease (bot.queue.lease)
SECRET = "e2e-secret"


class Process:
    """A briefbot process on this machine: a front end or a worker, with its health port."""

    def __init__(self, name: str, arguments: list[str], env: dict[str, str], folder: Path) -> None:
        self.name, self.arguments, self.env, self.folder = name, arguments, env, folder
        self.health_port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Process:
        env = {**self.env, "BRIEFBOT_HEALTH_PORT": str(self.health_port)}
        with open(self.folder / f"{self.name}.log", "wb") as log:
            self.process = await asyncio.create_subprocess_exec(sys.executable, *self.arguments, env=env,
                                                                stdout=asyncio.subprocess.DEVNULL, stderr=log)
        return self

    async def ready(self, session: aiohttp.ClientSession, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None and self.process.returncode is None, self.log()
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{self.health_port}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} did not start: {self.log()}")

    async def metrics(self, session: aiohttp.ClientSession) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Its /metrics, as {(sample name, labels): value}."""
        async with session.get(f"http://127.0.0.1:{self.health_port}/metrics") as response:
            assert response.status == 200
            text_ = await response.text()
        return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                for family in text_string_to_metric_families(text_) for sample in family.samples}

    def log(self) -> str:
        return (self.folder / f"{self.name}.log").read_text(errors="replace")[-3000:]

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def update_for(api: FakeBotAPI, chat_id: int, text_: str) -> dict:
    """The update Telegram would post for a user's message (the fake API's own, taken off its getUpdates queue:
    front ends on a webhook do not poll)."""
    api.message(chat_id, text_)
    return api.updates.pop()


async def post_update(session: aiohttp.ClientSession, front_end: Process, update: dict) -> None:
    """What Telegram, through a load balancer, does with an update."""
    url = f"http://127.0.0.1:{front_end.env['BRIEFBOT_WEBHOOK_PORT']}/hook"
    async with session.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response:
        assert response.status == 200, await response.text()


def statuses(api: FakeBotAPI, chat_id: int) -> list[str]:
    """What the status messages sent to a chat first said."""
    return [c.params["text"] for c in api.sent("sendMessage", chat_id)]


async def test_two_front_ends_and_two_workers_answer_each_request_once_through_a_kill_and_post_each_digest_once(
        api, postgres, queue_url, held_page, feeds, tmp_path):
    """Issue 15, end to end: two `briefbot run --webhook` front ends and two workers, each its own
    process, on PostgreSQL, Redis and the fake Bot API. 200 briefs from 50 chats are each answered
    once (the first ones, asked while no worker runs, are told their place in the queue); a worker
    killed with SIGKILL mid-job leaves its job to the other, still answered once; 20 channels due
    in the same minute are each posted once. Every process serves /metrics."""
    held_port, released = held_page
    database_url = postgres.database()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_TELEGRAM_BASE_URL": api.base_url,
           "BRIEFBOT_DATABASE_URL": database_url, "BRIEFBOT_QUEUE_URL": queue_url, "BRIEFBOT_CONFIG": "",
           "BRIEFBOT_DATA_DIR": str(tmp_path), "BRIEFBOT_FETCH_ALLOWLIST": "127.0.0.1",
           "BRIEFBOT_FETCH_PORTS": f"80,443,{held_port},{feeds.port}", "BRIEFBOT_WEBHOOK_SECRET": SECRET,
           # the send budget has tests of its own; here it would only make the test wait
           "BRIEFBOT_BOT_SENDS_PER_SECOND": "1000", "BRIEFBOT_CHAT_SENDS_PER_SECOND": "100"}
    front_ends = []
    for name in ("front-1", "front-2"):
        port = free_port()
        front_ends.append(Process(name, [*FRONT_END, "--webhook", f"http://127.0.0.1:{port}/hook"],
                                  {**env, "BRIEFBOT_WEBHOOK_PORT": str(port)}, tmp_path))
    workers = [Process(name, [*WORKER, str(RECLAIM_AFTER)], env, tmp_path) for name in ("worker-1", "worker-2")]
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
            started = time.monotonic()
            await asyncio.gather(*(process.start() for process in front_ends))
            await asyncio.gather(*(process.ready(session) for process in front_ends))
            print(f"front ends up {time.monotonic() - started:.1f}")

            # no worker yet: each request is told its place in the queue, in its status message
            for chat_id in (1, 2, 3):
                await post_update(session, front_ends[chat_id % 2], update_for(api, chat_id, f"{article}\n\n(0)"))
                await api.wait_for(lambda a, c=chat_id: statuses(a, c), timeout=20)
            assert [statuses(api, c)[0] for c in (1, 2, 3)] == [
                "Waiting for my turn…", "Busy: you are number 2 in the queue.", "Busy: you are number 3 in the queue."]
            await until(lambda: depth(session, front_ends[0]), 3)   # its gauge reads the stream as it is scraped

            await asyncio.gather(*(process.start() for process in workers))
            updates = [update_for(api, chat_id, f"{article}\n\n({round_})")
                       for round_ in range(4) for chat_id in range(1, 51) if (round_, chat_id) not in
                       {(0, 1), (0, 2), (0, 3)}]
            await asyncio.gather(*(process.ready(session) for process in workers))
            print(f"workers up {time.monotonic() - started:.1f}")
            for number, update in enumerate(updates):   # the load balancer takes turns
                await post_update(session, front_ends[number % 2], update)
            await api.wait_for(lambda a: len(answers(a)) == 200, timeout=90)
            print(f"200 answered {time.monotonic() - started:.1f}")
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
            await post_update(session, front_ends[1], update_for(api, 998, f"{article}\n\n(after)"))  # traffic goes on
            await api.wait_for(lambda a: len(answers(a)) == 202, timeout=60)
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
    # each request briefed by one worker: the killed one's, before it was killed, and the other's add up
    assert answered_by_doomed + value(worker_metrics, "briefbot_brief_jobs_total", outcome="answered") == 202
    assert value(worker_metrics, "briefbot_briefs_total", outcome="briefed", engine="extractive") >= 2
    assert value(worker_metrics, "briefbot_stage_seconds_count", stage="compose") >= 2
    assert value(worker_metrics, "briefbot_stage_seconds_count", stage="fetch") >= 1    # the held link
    assert value(worker_metrics, "briefbot_stage_seconds_count", stage="render") >= 2
    assert value(worker_metrics, "briefbot_queue_wait_seconds_count") >= 2
    assert all(value(samples, "briefbot_queue_depth") == 0 for samples in front_metrics)


async def depth(session: aiohttp.ClientSession, front_end: Process) -> float:
    return value(await front_end.metrics(session), "briefbot_queue_depth")


async def until(read: Callable[[], Awaitable[float]], expected: float, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while (last := await read()) != expected:
        assert time.monotonic() < deadline, f"{last}, not {expected}"
        await asyncio.sleep(0.05)


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
