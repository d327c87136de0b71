"""Channel digests: read the feeds, group the stories, brief them, post, record.

Runs from a schedule or on demand. Each feed is fetched through the safe fetcher
with its ETag / Last-Modified; a feed that fails (in any way) waits longer each time
(up to 6 h) and is reported to the channel's owner once, when it has failed three
times in a row. An item that cannot be briefed is skipped and logged, never the
whole digest. Articles are fetched outside the `work` slot, which is held only for
the CPU-bound briefing (the bot passes its shared work queue, at low priority).
How a post reaches the channel is the caller's business: the service is handed a
`post` and a `notify` callable, so it knows nothing of Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from bot.core.brief import Brief, SourceInfo
from bot.core.guard import guard_repairs
from bot.core.links import site_host
from bot.core.render.telegraph import PageEntry, headline_post
from bot.core.text.normalize import fold_for_matching
from bot.digests.languages import DigestLanguage, digest_languages
from bot.digests.posts import DigestEntry, assemble_posts, figure_disagreements, story_hashtags
from bot.digests.stories import Story, group_stories
from bot.digests.template import DigestTemplate, local_day
from bot.errors import BriefError
from bot.i18n import render_labels
from bot.metrics import FEED_FAILURES
from bot.pipeline import Briefer
from bot.store.channels import Channel, ChannelStore, Feed, Item
from bot.store.events import ChannelEvents
from bot.web.errors import FetchCause, FetchError
from bot.web.feeds import fetch_feed
from bot.web.fetch import FetchedPage, SafeFetcher
from bot.web.telegraph import TelegraphFailed, TelegraphPages

log = logging.getLogger(__name__)
REPORT_AFTER_FAILURES = 3
MAX_BACKOFF = 6 * 3600
BRIEFS_AT_ONCE = 2
PREVIEW_ITEMS = 200  # items of the newest posts that /preview groups into the last digest's stories


class DeliveryFailed(Exception):
    """A post or a note could not be delivered; the items stay unposted for the next run."""


# Sends one post (HTML) to the channel, returns the id of the message that carries it.
PostDigest = Callable[[Channel, str], Awaitable[int]]
# Tells a user (the channel's owner) something, in plain text.
NotifyUser = Callable[[int, str], Awaitable[None]]
# Holds one worker for CPU-bound briefing while inside.
WorkSlot = Callable[[], AbstractAsyncContextManager[object]]


@dataclass
class DigestDelivery:
    post: PostDigest
    notify: NotifyUser


def backoff(failures: int) -> float:
    """5 min, 10, 20, … up to 6 h after the n-th failure in a row."""
    return float(min(MAX_BACKOFF, 300 * 2 ** max(0, failures - 1)))


def wanted(item: Item, channel: Channel) -> bool:
    """Keyword filters: plain words or phrases, matched without case or diacritics."""
    text = fold_for_matching(f"{item.title} {item.summary}")

    def has(phrase: str) -> bool:
        return fold_for_matching(phrase) in text

    if channel.include and not any(map(has, channel.include)):
        return False
    return not any(map(has, channel.exclude))


class DigestService:
    def __init__(self, store: ChannelStore, briefer: Briefer, fetcher: SafeFetcher, delivery: DigestDelivery,
                 target_language: str, clock: Callable[[], float] = time.time, work: WorkSlot | None = None,
                 pages: TelegraphPages | None = None) -> None:
        self.store = store
        self.briefer = briefer
        self.fetcher = fetcher
        self.delivery = delivery
        self.target_language = target_language
        self.clock = clock
        self.pages = pages  # Telegraph, for the channels that turned it on
        self.events = ChannelEvents(store.database, lambda: self.clock())  # for /stats
        gate = asyncio.Semaphore(BRIEFS_AT_ONCE)
        self.work: WorkSlot = work or (lambda: gate)
        self._running: dict[int, asyncio.Lock] = {}

    async def run(self, channel: Channel) -> int:
        """One digest: returns the number of posts sent. One run per channel at a time."""
        lock = self._running.setdefault(channel.chat_id, asyncio.Lock())
        async with lock:
            await self.refresh(channel)
            return await self.post(channel)

    # ---- feeds -------------------------------------------------------------------

    async def refresh(self, channel: Channel) -> None:
        feeds = [f for f in await self.store.feeds(channel.chat_id) if f.retry_at <= self.clock()]
        await asyncio.gather(*(self._refresh_feed(channel, feed) for feed in feeds))

    async def _refresh_feed(self, channel: Channel, feed: Feed) -> None:
        try:
            result = await fetch_feed(self.fetcher, feed.url, feed.etag, feed.last_modified)
        except BriefError as error:
            await self._feed_failed(channel, feed, error)
            return
        except Exception as error:  # noqa: BLE001 - a feed that breaks the parser backs off like any failure
            log.exception("feed %s could not be read", feed.url)
            await self._feed_failed(channel, feed, FetchError(FetchCause.BAD_RESPONSE, f"The feed could not be read "
                                                                              f"({type(error).__name__})."))
            return
        added = await self.store.add_items(channel.chat_id, feed.url, result.entries, now=self.clock())
        await self.events.record(channel.chat_id, "item", added, feed.url)
        await self.store.feed_fetched(feed, result.etag, result.last_modified)

    async def _feed_failed(self, channel: Channel, feed: Feed, error: BriefError) -> None:
        failures = feed.failures + 1
        FEED_FAILURES.inc()
        report = failures >= REPORT_AFTER_FAILURES and not feed.reported
        log.info("feed %s failed (%d in a row): %s", feed.url, failures, error)
        await self.store.feed_failed(feed, self.clock() + backoff(failures), feed.reported or report)
        await self.events.record(channel.chat_id, "feed_failure", feed_url=feed.url)
        if report:
            try:
                await self.delivery.notify(channel.owner_id, f"The feed {feed.url} of {channel.title} has failed "
                                           f"{failures} times in a row: {error.user_message()} I will keep trying, "
                                           "less often; /unsub removes it.")
            except DeliveryFailed as send_error:
                log.warning("could not report a failing feed to %s: %s", channel.owner_id, send_error)

    # ---- the digest ----------------------------------------------------------------

    async def post(self, channel: Channel) -> int:
        """Posts the digest, one post (or more, when long) per language of the channel; returns how many."""
        languages = digest_languages(channel, self.target_language)
        codes = [language.code for language in languages]
        waiting = await self.store.unposted(channel.chat_id)
        posted = await self.store.posted_languages(channel.chat_id, [item.id for item in waiting], codes)
        # out in every language already (the languages changed, or the bot stopped before marking them)
        done = [item.id for item in waiting if set(posted.get(item.id, {})) >= set(codes)]
        await self.store.settle_languages(channel.chat_id, done, codes)
        waiting = [item for item in waiting if item.id not in done]
        items = [item for item in waiting if wanted(item, channel)]
        # Held back now, held back for good: changed filters must not bring old items back.
        await self.store.mark_skipped([item.id for item in waiting if not wanted(item, channel)])
        stories = (await asyncio.to_thread(group_stories, items, lambda i: i.url,
                                           lambda i: f"{i.title} {i.summary}"))[:channel.items]
        if not stories:
            return 0
        await self.events.record(channel.chat_id, "duplicate", sum(len(story.items) - 1 for story in stories))
        await self._carried_already(channel, stories, codes, posted)
        sent = 0
        for language, posts in await self._assemble(channel, stories, languages, posted):
            where = channel if language.topic is None else channel.with_values(thread_id=language.topic)
            for markup, item_ids in posts:
                try:
                    message_id = await self.delivery.post(where, markup)
                except DeliveryFailed as error:  # the items stay unposted; the next run retries them
                    log.warning("digest post to %s failed: %s", channel.chat_id, error)
                    return sent
                await self._posted(channel, item_ids, language.code, message_id, codes)
                await self.events.record(channel.chat_id, "post")
                sent += 1
        return sent

    async def _carried_already(self, channel: Channel, stories: list[Story[Item]], languages: list[str],
                               posted: dict[int, dict[str, int]]) -> None:
        """An item that joined a story after the story went out in some language (the bot stopped
        between two languages, and a feed brought the item meanwhile) counts as carried by that
        post: the story is not posted in that language again."""
        for story, language in ((story, language) for story in stories for language in languages):
            sent = [posted[i.id][language] for i in story.items if language in posted.get(i.id, {})]
            late = [i.id for i in story.items if language not in posted.get(i.id, {})]
            if sent and late:
                await self.store.record_language_post(channel.chat_id, late, language, max(sent), languages)
                for item_id in late:
                    posted.setdefault(item_id, {})[language] = max(sent)

    async def _posted(self, channel: Channel, item_ids: list[int], language: str, message_id: int,
                      languages: list[str]) -> None:
        """One language: the items are posted. Several: this language's post is recorded, and the
        items are marked posted once they went out in every language, so that a stop between two
        languages posts nothing twice in the next run."""
        if len(languages) == 1:
            await self.store.mark_posted(item_ids, message_id)
        elif item_ids:
            await self.store.record_language_post(channel.chat_id, item_ids, language, message_id, languages)

    async def preview(self, channel: Channel) -> list[str]:
        """The channel's last digest (its newest stories posted, up to `channel.items`) made again
        with the channel's template as it is now, in each of its languages: posted nowhere, nothing
        marked. Stories are briefed again (digest briefs are not cached); [] when nothing was posted yet."""
        items = await self.store.last_posted(channel.chat_id, PREVIEW_ITEMS)
        stories = (await asyncio.to_thread(group_stories, items, lambda i: i.url,
                                           lambda i: f"{i.title} {i.summary}"))[-channel.items:]
        if not stories:
            return []
        digests = await self._assemble(channel, stories, digest_languages(channel, self.target_language), preview=True)
        return [markup for _, posts in digests for markup, _ in posts]

    async def _assemble(self, channel: Channel, stories: list[Story[Item]], languages: list[DigestLanguage],
                        posted: dict[int, dict[str, int]] | None = None, preview: bool = False
                        ) -> list[tuple[DigestLanguage, list[tuple[str, list[int]]]]]:
        """Each language's posts of a digest of `stories`, laid out by the channel's template. Each
        story is briefed once for all languages; a story already `posted` in a language (items →
        languages) is left out of that language's posts."""
        template = DigestTemplate.stored(channel.template)
        codes = [language.code for language in languages]
        made = await asyncio.gather(*(self._entries(story.items, channel, codes, template.points, preview)
                                      for story in stories))
        hashtags = {feed.url: feed.hashtags for feed in await self.store.feeds(channel.chat_id)}
        stories_entries = []
        for story, entries in zip(stories, made, strict=True):
            if entries is not None:
                for entry in entries:
                    entry.hashtags = story_hashtags((item.feed_url for item in story.items), hashtags)
                stories_entries.append(entries)
        day = local_day(self.clock(), channel.timezone)
        digests = []
        for number, language in enumerate(languages):
            entries = [each[number] for each in stories_entries
                       if not any(language.code in (posted or {}).get(i, ()) for i in each[number].item_ids)]
            title = f"{render_labels(language.code).digest}: {channel.title}"
            heading, footer = template.heading(title, channel.title, day), template.closing(channel.title, day)
            posts = assemble_posts(entries, heading, labels_for=render_labels, template=template, footer=footer)
            if len(posts) > 1 and channel.telegraph and not preview:
                posts = await self._on_a_page(channel, heading, footer, entries, language.code) or posts
            digests.append((language, posts))
        return digests

    async def _on_a_page(self, channel: Channel, title: str, footer: str, entries: list[DigestEntry],
                         language: str) -> list[tuple[str, list[int]]] | None:
        """A digest too long for one post, whole on a Telegraph page, and one post with its
        headlines and the page's link; None (post it split, as without) when Telegraph fails."""
        if self.pages is None:
            return None
        on_page = [PageEntry(entry.brief, entry.outlets, entry.disagreements) for entry in entries]
        try:
            urls = await self.pages.publish(title, on_page, channel.title, labels_for=render_labels)
        except TelegraphFailed as error:
            log.warning("digest of %s posted without a Telegraph page: %s", channel.chat_id, error)
            return None
        post = headline_post(title, on_page, urls, render_labels(language), footer)
        return [(post, [i for entry in entries for i in entry.item_ids])]

    async def _entries(self, items: list[Item], channel: Channel, languages: list[str], points: int = 2,
                       preview: bool = False) -> list[DigestEntry] | None:
        """The story's entry in each language; None (and its items skipped for good, unless
        previewing) when it cannot be made at all."""
        try:
            briefs = await self._briefs(items[0], languages, points)
            if not preview:
                await self.events.record(channel.chat_id, "guard_repair",
                                         sum(guard_repairs(brief.warnings) for brief in briefs))
            texts = {(site_host(i.url) or i.url): f"{i.title}. {i.summary}" for i in items}
            disagreements = figure_disagreements(texts, None) if len(items) > 1 else []
            return [DigestEntry(brief, [((site_host(i.url) or i.url), i.url) for i in items], list(disagreements),
                                [i.id for i in items]) for brief in briefs]
        except Exception:  # noqa: BLE001 - one bad item must not fail the whole digest
            log.exception("digest item %s skipped", items[0].url)
        if not preview:
            await self.store.mark_skipped([i.id for i in items])
        return None

    async def _briefs(self, item: Item, languages: list[str], points: int = 2) -> list[Brief]:
        """The article's brief in each language, with `points` points (at least one); if the article
        cannot be read, the feed's own summary's."""
        points = max(points, 1)
        try:
            page = await self.fetcher.fetch(item.url)
            async with self.work():
                return await briefs_of_page(self.briefer, page, languages, points=points)
        except BriefError as error:
            log.info("digest item %s briefed from its feed summary: %s", item.url, error)
        try:
            async with self.work():
                return await self.briefer.abriefs_text(f"{item.title}\n\n{item.summary}", languages, points=points,
                                                       source=SourceInfo(url=item.url, title=item.title))
        except BriefError:
            return [Brief(SourceInfo(url=item.url, title=item.title), language, item.title,
                          [item.summary[:400]] if item.summary else []) for language in languages]


async def brief_page(briefer: Briefer, page: FetchedPage, **options: Any) -> Brief:
    """The brief of a page fetched beforehand, in `to` (see `briefs_of_page`)."""
    to = options.pop("to", None) or briefer.settings.target_language
    return (await briefs_of_page(briefer, page, [to], **options))[0]


async def briefs_of_page(briefer: Briefer, page: FetchedPage, languages: Sequence[str], **options: Any) -> list[Brief]:
    """The brief of a page fetched beforehand in each of `languages` (made once, translated into
    each), so that the fetch (slow, no CPU) can happen outside a worker slot and only this
    (CPU-bound, in a thread) inside one."""
    if page.content_type == "text/plain":
        return await briefer.abriefs_text(page.text, languages, **{**options, "source": SourceInfo(url=page.url)})
    briefs = await briefer.abriefs_html(page.text, languages, url=page.url, **options)
    for brief in briefs:
        brief.source.url = brief.source.url or page.url
    return briefs
