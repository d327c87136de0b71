"""`briefbot worker`: finishes brief jobs from the task queue, replying through a plain `telegram.Bot`,
and posts the channel digests that fall due (claimed in the database: each once, whatever the workers).

A front end stores the request (a pending brief, with the status message the user already
has) and enqueues its id; any worker on any machine takes it, briefs it with a Briefer whose
models are loaded once per process, puts the brief in place of the status message, and
records the delivery together with removing the pending brief. Only then is the job
acknowledged: a worker killed half-way leaves the job to another, which finds either the
brief still pending (and edits the same status message: the user still sees one answer) or
its delivery (and sends nothing).
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Bot
from telegram.ext import ExtBot

from bot import metrics
from bot.config import Settings
from bot.digests.due import run_due_forever
from bot.digests.service import DigestService
from bot.pipeline import Briefer
from bot.queue.broker import GROUP, STREAM, make_broker, work
from bot.queue.budget import shared_send_budget
from bot.queue.lease import LEASE
from bot.queue.metrics import watch_queue
from bot.store.cache import BriefCache
from bot.store.channels import ChannelStore
from bot.store.chats import ChatSettingsStore
from bot.store.database import Database
from bot.store.deliveries import Deliveries
from bot.store.pending import PendingBrief, PendingBriefs
from bot.store.state import StateStore
from bot.store.usage import UsageStore
from bot.telegram.app import DATABASE_NAME, NO_LINK_PREVIEWS, _file_url
from bot.telegram.briefing import answer_stored
from bot.telegram.digests import telegram_delivery
from bot.telegram.fairness import UserRateLimit, WorkQueue
from bot.telegram.handlers.access import may_attach
from bot.telegram.quota import DailyQuota
from bot.telegram.resend import MeteredRequest
from bot.telegram.services import Services
from bot.telegram.webhook import serve_app, status_app
from bot.web.fetch import SafeFetcher
from bot.web.telegraph import TelegraphClient, TelegraphPages

log = logging.getLogger(__name__)


def request_key(item: PendingBrief) -> str:
    """The user's request, as the delivery record knows it."""
    return f"brief:{item.request_message_id}"


def plain_bot(settings: Settings) -> Bot:
    """A plain Bot's calls, within the send budget that every worker and front end share in Redis."""
    budget = shared_send_budget(settings, max_retries=3)
    if settings.telegram_base_url:
        return ExtBot(settings.telegram_bot_token, base_url=settings.telegram_base_url,
                      base_file_url=_file_url(settings.telegram_base_url), request=MeteredRequest(),
                      rate_limiter=budget, defaults=NO_LINK_PREVIEWS)
    return ExtBot(settings.telegram_bot_token, request=MeteredRequest(), rate_limiter=budget, defaults=NO_LINK_PREVIEWS)


async def run_worker(settings: Settings, briefer: Briefer | None = None, reclaim_after: float | None = None,
                     lease: float = LEASE) -> None:
    """Until cancelled (SIGINT/SIGTERM end asyncio.run). `reclaim_after` and `lease`: see bot.queue."""
    from bot.pipeline import fetch_policy

    database = await Database.open(settings.database_url or settings.data_dir / DATABASE_NAME)
    fetcher = briefer.fetcher if briefer else SafeFetcher(fetch_policy(settings))
    shared_briefer = briefer or Briefer(settings, fetcher=fetcher)
    bot = plain_bot(settings)
    channels = ChannelStore(database)
    pages = TelegraphPages(TelegraphClient(settings.telegraph_base_url), StateStore(database))
    shared = Services(settings=settings, briefer=shared_briefer, database=database,
                      chats=ChatSettingsStore(database), cache=BriefCache(database),
                      work=WorkQueue(settings.workers, settings.queue_size),
                      rate_limit=UserRateLimit.for_settings(settings), channels=channels,
                      quota=DailyQuota(UsageStore(database), settings.daily_quota, settings.admin_users),
                      fetcher=fetcher, digests=DigestService(channels, shared_briefer, fetcher,
                                                             telegram_delivery(bot), settings.target_language,
                                                             pages=pages),
                      pages=pages)
    pending, deliveries = PendingBriefs(database), Deliveries(database)

    async def handle(pending_id: int) -> None:
        with metrics.JOBS_RUNNING.track_inprogress(), metrics.JOB_SECONDS.time():
            metrics.JOBS.labels(await finish_once(pending_id)).inc()

    async def finish_once(pending_id: int) -> str:
        item = await pending.get(pending_id)
        if item is None:   # answered by an earlier try of this job
            return "answered before"
        if await deliveries.delivered(item.chat_id, request_key(item)):
            await pending.done(item.id)
            return "answered before"
        metrics.QUEUE_WAIT.observe(max(0.0, time.time() - item.created))
        await answer_stored(bot, shared, item)
        await pending.delivered(item, request_key(item), item.status_message_id)
        return "answered"

    broker = make_broker(settings.queue_url) if reclaim_after is None else make_broker(settings.queue_url,
                                                                                      reclaim_after)
    try:
        async with bot:
            log.info("briefbot worker is up; queue %s", broker.queue_name)
            background = [asyncio.create_task(run_due_forever(
                channels, shared.digests, allowed=lambda chat_id: may_attach(settings, chat_id)), name="due digests")]
            health = (await serve_app(status_app(lambda: True), settings.webhook_listen, settings.health_port)
                      if settings.health_port else None)   # /healthz and /metrics
            if health is not None:
                background.append(asyncio.create_task(watch_queue(settings.queue_url, STREAM, GROUP)))
            try:
                await work(broker, handle, settings.workers, lease)
            finally:
                for task in background:
                    task.cancel()
                if health is not None:
                    await health.cleanup()
    finally:
        await asyncio.shield(_close(shared))


async def _close(shared: Services) -> None:
    await shared.briefer.aclose()
    await shared.fetcher.close()
    if shared.pages is not None:
        await shared.pages.close()
    await shared.rate_limit.close()
    await shared.database.close()
