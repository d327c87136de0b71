"""Channel digests: read the feeds, group the stories, brief them, post, record.

Runs from a job (the channel's schedule) or from `/digest <channel> now`. Each
feed is fetched through the safe fetcher with its ETag / Last-Modified; a feed
that fails waits longer each time (up to 6 h) and is reported to the channel's
admin once, when it has failed three times in a row.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import time as day_time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.core.brief import Brief, SourceInfo
from bot.core.dedupe import group_stories
from bot.core.digest import DigestEntry, assemble_posts, figure_disagreements
from bot.core.schedule import parse_schedule
from bot.core.textnorm import fold_for_matching
from bot.errors import BriefError
from bot.store.channels import Channel, ChannelStore, Feed, Item
from bot.telegram.briefing import NO_PREVIEW
from bot.web.feeds import fetch_feed

log = logging.getLogger(__name__)
REPORT_AFTER_FAILURES = 3
MAX_BACKOFF = 6 * 3600
BRIEFS_AT_ONCE = 2


def backoff(failures: int) -> float:
    """5 min, 10, 20, … up to 6 h after the n-th failure in a row."""
    return min(MAX_BACKOFF, 300 * 2 ** max(0, failures - 1))


def outlet_of(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def wanted(item: Item, channel: Channel) -> bool:
    """Keyword filters: plain words or phrases, matched without case or diacritics."""
    text = fold_for_matching(f"{item.title} {item.summary}")
    has = lambda phrase: fold_for_matching(phrase) in text  # noqa: E731
    if channel.include and not any(map(has, channel.include)):
        return False
    return not any(map(has, channel.exclude))


class DigestService:
    def __init__(self, store: ChannelStore, briefer, target_language: str, clock=time.time) -> None:
        self.store = store
        self.briefer = briefer
        self.target_language = target_language
        self.clock = clock
        self._running: dict[int, asyncio.Lock] = {}

    async def run(self, bot: Bot, channel: Channel) -> int:
        """One digest: returns the number of posts sent. One run per channel at a time."""
        lock = self._running.setdefault(channel.chat_id, asyncio.Lock())
        async with lock:
            await self.refresh(bot, channel)
            return await self.post(bot, channel)

    # ---- feeds -------------------------------------------------------------------

    async def refresh(self, bot: Bot, channel: Channel) -> None:
        feeds = [f for f in await self.store.feeds(channel.chat_id) if f.retry_at <= self.clock()]
        await asyncio.gather(*(self._refresh_feed(bot, channel, feed) for feed in feeds))

    async def _refresh_feed(self, bot: Bot, channel: Channel, feed: Feed) -> None:
        try:
            result = await fetch_feed(self.briefer.fetcher, feed.url, feed.etag, feed.last_modified)
        except BriefError as error:
            await self._feed_failed(bot, channel, feed, error)
            return
        await self.store.add_items(channel.chat_id, feed.url, result.entries)
        await self.store.feed_fetched(feed, result.etag, result.last_modified)

    async def _feed_failed(self, bot: Bot, channel: Channel, feed: Feed, error: BriefError) -> None:
        failures = feed.failures + 1
        report = failures >= REPORT_AFTER_FAILURES and not feed.reported
        log.info("feed %s failed (%d in a row): %s", feed.url, failures, error)
        await self.store.feed_failed(feed, self.clock() + backoff(failures), feed.reported or report)
        if report:
            try:
                await bot.send_message(channel.owner_id, f"The feed {feed.url} of {channel.title} has failed "
                                       f"{failures} times in a row: {error.user_message()} I will keep trying, "
                                       "less often; /unsub removes it.")
            except TelegramError as send_error:
                log.warning("could not report a failing feed to %s: %s", channel.owner_id, send_error)

    # ---- the digest ----------------------------------------------------------------

    async def post(self, bot: Bot, channel: Channel) -> int:
        items = [item for item in await self.store.unposted(channel.chat_id) if wanted(item, channel)]
        stories = group_stories(items, lambda i: i.url, lambda i: f"{i.title} {i.summary}")[:channel.items]
        if not stories:
            return 0
        gate = asyncio.Semaphore(BRIEFS_AT_ONCE)
        entries = await asyncio.gather(*(self._entry(story.items, channel, gate) for story in stories))
        sent = 0
        for markup, item_ids in assemble_posts(entries, f"Digest: {channel.title}"):
            try:
                message = await bot.send_message(channel.chat_id, markup, parse_mode=ParseMode.HTML,
                                                 message_thread_id=channel.thread_id, link_preview_options=NO_PREVIEW)
            except TelegramError as error:  # the items stay unposted; the next run retries them
                log.warning("digest post to %s failed: %s", channel.chat_id, error)
                break
            await self.store.mark_posted(item_ids, message.message_id)
            sent += 1
        return sent

    async def _entry(self, items: list[Item], channel: Channel, gate: asyncio.Semaphore) -> DigestEntry:
        lead = items[0]
        async with gate:
            brief = await self._brief(lead, channel.language or self.target_language)
        texts = {outlet_of(i.url): f"{i.title}. {i.summary}" for i in items}
        return DigestEntry(brief, [(outlet_of(i.url), i.url) for i in items],
                           figure_disagreements(texts, None) if len(items) > 1 else [],
                           [i.id for i in items])

    async def _brief(self, item: Item, language: str) -> Brief:
        """The article's brief; if the article cannot be read, the feed's own summary."""
        try:
            return await self.briefer.abrief_url(item.url, to=language, points=2)
        except BriefError as error:
            log.info("digest item %s briefed from its feed summary: %s", item.url, error)
        try:
            return await self.briefer.abrief_text(f"{item.title}\n\n{item.summary}", to=language, points=2,
                                                  source=SourceInfo(url=item.url, title=item.title))
        except BriefError:
            return Brief(SourceInfo(url=item.url, title=item.title), language, item.title,
                         [item.summary[:400]] if item.summary else [])


# ---- jobs ----------------------------------------------------------------------------

def job_name(chat_id: int) -> str:
    return f"digest:{chat_id}"


def schedule_channel(job_queue: JobQueue, channel: Channel) -> None:
    """(Re)creates the channel's digest jobs from its stored schedule."""
    for job in job_queue.get_jobs_by_name(job_name(channel.chat_id)):
        job.schedule_removal()
    if not channel.schedule or channel.paused:
        return
    schedule = parse_schedule(channel.schedule, channel.timezone)
    if schedule.every:
        job_queue.run_repeating(digest_job, interval=schedule.every, first=schedule.every,
                                name=job_name(channel.chat_id), data=channel.chat_id)
        return
    for moment in schedule.times:
        at = day_time(moment.hour, moment.minute, tzinfo=ZoneInfo(schedule.timezone))
        job_queue.run_daily(digest_job, time=at, name=job_name(channel.chat_id), data=channel.chat_id)


async def digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A scheduled digest; a failure is logged and the next run tries again."""
    services = context.bot_data["services"]
    channel = await services.channels.get(context.job.data)
    if channel is None or channel.paused:
        return
    try:
        await services.digests.run(context.bot, channel)
    except Exception:  # one channel's failure must not stop the job queue
        log.exception("digest of %s failed", channel.chat_id)
