"""Channels that get digests, their feeds, and the items seen and posted.

An item is marked posted in the same transaction that records the message it was
sent in, so a crash between two posts never posts an item twice nor skips one.
An item that will never be posted (held back by the filters, too old, past the
cap, or one that could not be briefed) is marked skipped: its row stays, so the
feed cannot bring it back, but no digest looks at it again.

Limits: MAX_FEEDS feeds a channel, MAX_UNPOSTED items waiting, none older than
MAX_UNPOSTED_AGE.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, case, delete, select, update

from bot.store.database import Database
from bot.store.schema import channels, deliveries, feeds, items

if TYPE_CHECKING:  # the type only: the store needs nothing of the web at run time
    from sqlalchemy.ext.asyncio import AsyncConnection

    from bot.web.feeds import FeedEntry

MAX_FEEDS = 50                    # feeds a channel; a digest of more is no digest
MAX_UNPOSTED = 500                # items waiting for a digest, newest kept
MAX_UNPOSTED_AGE = 3 * 24 * 3600  # seconds; older unposted news is no news
SKIPPED = 0                       # posted_message_id of an item no digest will carry (no message has id 0)


class TooManyFeeds(ValueError):
    """The channel has MAX_FEEDS feeds already; the message says what to do."""


@dataclass(frozen=True)
class Channel:
    chat_id: int
    title: str
    owner_id: int
    language: str | None = None
    items: int = 8
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    thread_id: int | None = None
    paused: bool = False
    schedule: str = ""          # "every 6h" | "at 08:00,20:00"; empty: only /digest now
    timezone: str = "UTC"
    template: str = ""          # the digest template as JSON (bot.digests.template); empty: the default
    # digest languages, each "ar" or "ar:34" (posted into forum topic 34); empty: the one `language`
    languages: tuple[str, ...] = ()
    telegraph: bool = False     # a digest too long for one post goes to a telegra.ph page (bot.web.telegraph)

    def with_values(self, **values: Any) -> Channel:
        return replace(self, **values)


@dataclass(frozen=True)
class Feed:
    id: int
    channel_id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    retry_at: float = 0.0
    reported: bool = False
    hashtags: str = ""          # "#economy #gulf": shown under each story from this feed


@dataclass(frozen=True)
class Item:
    id: int
    channel_id: int
    feed_url: str
    guid: str
    url: str
    title: str
    summary: str


_SEPARATOR = "\x1f"  # keyword phrases may hold commas and spaces


class ChannelStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # ---- channels ----------------------------------------------------------------

    async def get(self, chat_id: int) -> Channel | None:
        row = await self.database.fetch_one(select(channels).where(channels.c.chat_id == chat_id))
        return _channel(row) if row else None

    async def owned_by(self, user_id: int) -> list[Channel]:
        rows = await self.database.fetch_all(
            select(channels).where(channels.c.owner_id == user_id).order_by(channels.c.title))
        return [_channel(row) for row in rows]

    async def all(self) -> list[Channel]:
        return [_channel(row) for row in await self.database.fetch_all(select(channels))]

    async def save(self, channel: Channel) -> None:
        values = {"title": channel.title, "owner_id": channel.owner_id, "language": channel.language,
                  "items": channel.items, "include": _SEPARATOR.join(channel.include),
                  "exclude": _SEPARATOR.join(channel.exclude), "thread_id": channel.thread_id,
                  "paused": int(channel.paused), "schedule": channel.schedule, "timezone": channel.timezone,
                  "template": channel.template, "languages": ",".join(channel.languages),
                  "telegraph": int(channel.telegraph)}
        # a changed schedule is due again when its new schedule says (see schedule_unscheduled)
        rescheduled = (channels.c.schedule != values["schedule"]) | (channels.c.timezone != values["timezone"])
        await self.database.write(
            self.database.insert(channels).values(chat_id=channel.chat_id, **values)
            .on_conflict_do_update(index_elements=[channels.c.chat_id], set_={
                **values, "next_run": case((rescheduled, None), else_=channels.c.next_run)}))

    async def delete(self, chat_id: int) -> None:
        await self.database.write(delete(channels).where(channels.c.chat_id == chat_id))

    # ---- schedules: due digests, claimed once across every instance --------------------

    async def set_next_run(self, chat_id: int, when: float | None) -> None:
        """When the channel's next scheduled digest is due (None: never, e.g. no schedule)."""
        await self.database.write(update(channels).where(channels.c.chat_id == chat_id).values(next_run=when))

    async def schedule_unscheduled(self, next_run: Callable[[Channel], float | None]) -> None:
        """Gives each channel with a schedule and no next run (new, or its schedule changed) one."""
        async with self.database.transaction() as connection:
            query = select(channels).where(channels.c.next_run.is_(None), channels.c.schedule != "")
            for row in (await connection.execute(query)).all():
                await connection.execute(update(channels).where(channels.c.chat_id == row.chat_id)
                                         .values(next_run=next_run(_channel(row))))

    async def claim_due(self, now: float, next_run: Callable[[Channel], float | None],
                        limit: int = 100) -> list[Channel]:
        """The channels whose digest is due, each moved on to its `next_run` in the same
        transaction: of several instances claiming at once, each due digest goes to exactly one.
        PostgreSQL skips rows another instance holds (FOR UPDATE SKIP LOCKED); SQLite has one
        writer at a time, so its transaction alone is the claim."""
        query = (select(channels).where(channels.c.next_run <= now, channels.c.paused == 0)
                 .order_by(channels.c.next_run).limit(limit).with_for_update(skip_locked=True))
        async with self.database.transaction() as connection:
            due = [_channel(row) for row in (await connection.execute(query)).all()]
            for channel in due:
                await connection.execute(update(channels).where(channels.c.chat_id == channel.chat_id)
                                         .values(next_run=next_run(channel)))
        return due

    # ---- feeds -------------------------------------------------------------------

    async def add_feed(self, channel_id: int, url: str) -> bool:
        """False when the channel already had this feed; TooManyFeeds when it has MAX_FEEDS."""
        added, refused = await self.add_feeds(channel_id, [url])
        if refused:
            raise TooManyFeeds(f"a channel can have at most {MAX_FEEDS} feeds; /unsub one first")
        return added == 1

    async def add_feeds(self, channel_id: int, urls: list[str]) -> tuple[int, int]:
        """(feeds added, new feeds left out because the channel reached MAX_FEEDS)."""
        added = refused = 0
        async with self.database.transaction() as connection:
            # the channel's row, locked: two instances adding feeds at once cannot both pass the cap
            await connection.execute(select(channels.c.chat_id).where(channels.c.chat_id == channel_id)
                                     .with_for_update())
            result = await connection.execute(select(feeds.c.url).where(feeds.c.channel_id == channel_id))
            known = set(result.scalars().all())
            for url in dict.fromkeys(urls):
                if url in known:
                    continue
                if len(known) >= MAX_FEEDS:
                    refused += 1
                    continue
                await connection.execute(feeds.insert().values(channel_id=channel_id, url=url))
                known.add(url)
                added += 1
        return added, refused

    async def remove_feed(self, channel_id: int, url: str) -> bool:
        result = await self.database.write(delete(feeds).where(feeds.c.channel_id == channel_id, feeds.c.url == url))
        return result.rowcount == 1

    async def feeds(self, channel_id: int) -> list[Feed]:
        rows = await self.database.fetch_all(select(feeds).where(feeds.c.channel_id == channel_id).order_by(feeds.c.id))
        return [Feed(r.id, r.channel_id, r.url, r.etag, r.last_modified, r.failures, r.retry_at, bool(r.reported),
                     hashtags=r.hashtags) for r in rows]

    async def set_hashtags(self, channel_id: int, url: str, hashtags: str) -> bool:
        """False when the channel has no such feed."""
        result = await self.database.write(update(feeds).where(feeds.c.channel_id == channel_id, feeds.c.url == url)
                                           .values(hashtags=hashtags))
        return result.rowcount == 1

    async def feed_fetched(self, feed: Feed, etag: str | None, last_modified: str | None) -> None:
        await self.database.write(update(feeds).where(feeds.c.id == feed.id).values(
            etag=etag, last_modified=last_modified, failures=0, retry_at=0, reported=0))

    async def feed_failed(self, feed: Feed, retry_at: float, reported: bool) -> None:
        await self.database.write(update(feeds).where(feeds.c.id == feed.id).values(
            failures=feeds.c.failures + 1, retry_at=retry_at, reported=int(reported)))

    # ---- items -------------------------------------------------------------------

    async def add_items(self, channel_id: int, feed_url: str, entries: Sequence[FeedEntry],
                        now: float | None = None) -> int:
        """Records entries not seen before (by GUID); returns how many were new. The waiting
        items are then pruned to the newest MAX_UNPOSTED, none older than MAX_UNPOSTED_AGE."""
        added = 0
        now = time.time() if now is None else now
        waiting = items.c.channel_id == channel_id, items.c.posted_message_id.is_(None)
        newest = select(items.c.id).where(*waiting).order_by(items.c.seen.desc(), items.c.id.desc()).limit(MAX_UNPOSTED)
        async with self.database.transaction() as connection:
            for entry in entries:
                result = await connection.execute(
                    self.database.insert(items).values(
                        channel_id=channel_id, feed_url=feed_url, guid=entry["guid"], url=entry["url"],
                        title=entry["title"], summary=entry["summary"], seen=now)
                    .on_conflict_do_nothing())
                added += result.rowcount
            await connection.execute(
                update(items).where(*waiting, (items.c.seen < now - MAX_UNPOSTED_AGE) | items.c.id.not_in(newest))
                .values(posted_message_id=SKIPPED))
        return added

    async def unposted(self, channel_id: int) -> list[Item]:
        rows = await self.database.fetch_all(
            select(items).where(items.c.channel_id == channel_id, items.c.posted_message_id.is_(None))
            .order_by(items.c.seen, items.c.id))
        return [Item(r.id, r.channel_id, r.feed_url, r.guid, r.url, r.title, r.summary) for r in rows]

    async def last_posted(self, channel_id: int, limit: int) -> list[Item]:
        """Up to `limit` items of the channel's most recent posts, oldest first (for /preview)."""
        rows = await self.database.fetch_all(
            select(items).where(items.c.channel_id == channel_id, items.c.posted_message_id > SKIPPED)
            .order_by(items.c.posted_message_id.desc(), items.c.id.desc()).limit(limit))
        return [Item(r.id, r.channel_id, r.feed_url, r.guid, r.url, r.title, r.summary) for r in reversed(rows)]

    async def mark_skipped(self, item_ids: list[int]) -> None:
        """Items no digest will carry: held back by the filters, or impossible to brief."""
        await self._mark(item_ids, SKIPPED)

    async def mark_posted(self, item_ids: list[int], message_id: int) -> None:
        """Called once the message is sent: the items and the message are recorded together."""
        await self._mark(item_ids, message_id)

    async def _mark(self, item_ids: list[int], message_id: int) -> None:
        if item_ids:
            await self.database.write(update(items).where(items.c.id.in_(item_ids))
                                      .values(posted_message_id=message_id))

    # ---- digests in several languages: one post per language, each item out once in each ----
    # Each language's post of an item is a delivery (chat: the channel, request: "digest:<item>:<language>");
    # the item is marked posted once it is out in every language, so a crash between two languages
    # leaves it waiting without posting it again in the languages it already went out in.

    async def posted_languages(self, channel_id: int, item_ids: Sequence[int],
                               languages: Sequence[str]) -> dict[int, dict[str, int]]:
        """Which of `languages` each item already went out in, with the message that carried it."""
        out: dict[int, dict[str, int]] = {}
        async with self.database.engine.connect() as connection:
            for item_id, language, message_id in await _language_posts(connection, channel_id, item_ids, languages):
                out.setdefault(item_id, {})[language] = message_id
        return out

    async def record_language_post(self, channel_id: int, item_ids: Sequence[int], language: str,
                                   message_id: int, languages: Sequence[str]) -> None:
        """`language`'s post `message_id` carried the items; those now out in every one of
        `languages` are marked posted in the same transaction."""
        async with self.database.transaction() as connection:
            for item_id in item_ids:
                await connection.execute(self.database.insert(deliveries).values(
                    chat_id=channel_id, request=_language_post(item_id, language), message_id=message_id,
                    created=time.time()).on_conflict_do_nothing())
            await _settle(connection, channel_id, item_ids, languages)

    async def settle_languages(self, channel_id: int, item_ids: Sequence[int], languages: Sequence[str]) -> None:
        """Marks posted the items already out in every one of `languages` (the channel's languages
        changed, or the bot stopped between recording a post and marking its items)."""
        async with self.database.transaction() as connection:
            await _settle(connection, channel_id, item_ids, languages)


def _language_post(item_id: int, language: str) -> str:
    return f"digest:{item_id}:{language}"


async def _language_posts(connection: AsyncConnection, channel_id: int, item_ids: Sequence[int],
                          languages: Sequence[str]) -> list[tuple[int, str, int]]:
    """(item, language, message id) of each post recorded for the items in `languages`."""
    keys = {_language_post(i, language): (i, language) for i in item_ids for language in languages}
    if not keys:
        return []
    rows = await connection.execute(select(deliveries.c.request, deliveries.c.message_id).where(
        deliveries.c.chat_id == channel_id, deliveries.c.request.in_(list(keys))))
    return [(*keys[request], message_id) for request, message_id in rows.all()]


async def _settle(connection: AsyncConnection, channel_id: int, item_ids: Sequence[int],
                  languages: Sequence[str]) -> None:
    posts: dict[int, list[int]] = {}
    for item_id, _, message_id in await _language_posts(connection, channel_id, item_ids, languages):
        posts.setdefault(item_id, []).append(message_id)
    for item_id, message_ids in posts.items():
        if len(message_ids) == len(set(languages)):  # the newest of its posts stands for the item (last_posted)
            await connection.execute(update(items).where(items.c.id == item_id, items.c.posted_message_id.is_(None))
                                     .values(posted_message_id=max(message_ids)))


def _channel(row: Row[Any]) -> Channel:
    def split(raw: str) -> tuple[str, ...]:
        return tuple(p for p in raw.split(_SEPARATOR) if p)

    return Channel(row.chat_id, row.title, row.owner_id, row.language, row.items,
                   split(row.include), split(row.exclude), row.thread_id, bool(row.paused),
                   row.schedule, row.timezone, template=row.template,
                   languages=tuple(p for p in row.languages.split(",") if p), telegraph=bool(row.telegraph))
