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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import aiosqlite

from bot.store.database import Database

if TYPE_CHECKING:  # the type only: the store needs nothing of the web at run time
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
        self.db = database.connection

    # ---- channels ----------------------------------------------------------------

    async def get(self, chat_id: int) -> Channel | None:
        async with self.db.execute("SELECT * FROM channels WHERE chat_id = ?", (chat_id,)) as cursor:
            row = await cursor.fetchone()
        return _channel(row) if row else None

    async def owned_by(self, user_id: int) -> list[Channel]:
        async with self.db.execute("SELECT * FROM channels WHERE owner_id = ? ORDER BY title", (user_id,)) as cursor:
            return [_channel(row) for row in await cursor.fetchall()]

    async def all(self) -> list[Channel]:
        async with self.db.execute("SELECT * FROM channels") as cursor:
            return [_channel(row) for row in await cursor.fetchall()]

    async def save(self, channel: Channel) -> None:
        await self.database.write(
            """INSERT INTO channels (chat_id, title, owner_id, language, items, include, exclude, thread_id,
                                     paused, schedule, timezone)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (chat_id) DO UPDATE SET title = excluded.title, owner_id = excluded.owner_id,
                 language = excluded.language, items = excluded.items, include = excluded.include,
                 exclude = excluded.exclude, thread_id = excluded.thread_id, paused = excluded.paused,
                 schedule = excluded.schedule, timezone = excluded.timezone""",
            (channel.chat_id, channel.title, channel.owner_id, channel.language, channel.items,
             _SEPARATOR.join(channel.include), _SEPARATOR.join(channel.exclude), channel.thread_id,
             int(channel.paused), channel.schedule, channel.timezone))

    async def delete(self, chat_id: int) -> None:
        await self.database.write("DELETE FROM channels WHERE chat_id = ?", (chat_id,))

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
        async with self.database.transaction() as db:
            async with db.execute("SELECT url FROM feeds WHERE channel_id = ?", (channel_id,)) as cursor:
                known = {row["url"] for row in await cursor.fetchall()}
            for url in dict.fromkeys(urls):
                if url in known:
                    continue
                if len(known) >= MAX_FEEDS:
                    refused += 1
                    continue
                await db.execute("INSERT INTO feeds (channel_id, url) VALUES (?, ?)", (channel_id, url))
                known.add(url)
                added += 1
        return added, refused

    async def remove_feed(self, channel_id: int, url: str) -> bool:
        cursor = await self.database.write("DELETE FROM feeds WHERE channel_id = ? AND url = ?", (channel_id, url))
        return cursor.rowcount == 1

    async def feeds(self, channel_id: int) -> list[Feed]:
        async with self.db.execute("SELECT * FROM feeds WHERE channel_id = ? ORDER BY id", (channel_id,)) as cursor:
            return [Feed(r["id"], r["channel_id"], r["url"], r["etag"], r["last_modified"], r["failures"],
                         r["retry_at"], bool(r["reported"])) for r in await cursor.fetchall()]

    async def feed_fetched(self, feed: Feed, etag: str | None, last_modified: str | None) -> None:
        await self.database.write("UPDATE feeds SET etag = ?, last_modified = ?, failures = 0, retry_at = 0, reported = 0"
                              " WHERE id = ?", (etag, last_modified, feed.id))

    async def feed_failed(self, feed: Feed, retry_at: float, reported: bool) -> None:
        await self.database.write("UPDATE feeds SET failures = failures + 1, retry_at = ?, reported = ? WHERE id = ?",
                              (retry_at, int(reported), feed.id))

    # ---- items -------------------------------------------------------------------

    async def add_items(self, channel_id: int, feed_url: str, entries: Sequence[FeedEntry],
                        now: float | None = None) -> int:
        """Records entries not seen before (by GUID); returns how many were new. The waiting
        items are then pruned to the newest MAX_UNPOSTED, none older than MAX_UNPOSTED_AGE."""
        added = 0
        now = time.time() if now is None else now
        async with self.database.transaction() as db:
            for entry in entries:
                cursor = await db.execute(
                    "INSERT OR IGNORE INTO items (channel_id, feed_url, guid, url, title, summary, seen)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (channel_id, feed_url, entry["guid"], entry["url"], entry["title"], entry["summary"], now))
                added += cursor.rowcount
            await db.execute(
                "UPDATE items SET posted_message_id = ? WHERE channel_id = ? AND posted_message_id IS NULL"
                " AND (seen < ? OR id NOT IN (SELECT id FROM items WHERE channel_id = ? AND posted_message_id IS NULL"
                " ORDER BY seen DESC, id DESC LIMIT ?))",
                (SKIPPED, channel_id, now - MAX_UNPOSTED_AGE, channel_id, MAX_UNPOSTED))
        return added

    async def unposted(self, channel_id: int) -> list[Item]:
        async with self.db.execute("SELECT * FROM items WHERE channel_id = ? AND posted_message_id IS NULL"
                                   " ORDER BY seen, id", (channel_id,)) as cursor:
            return [Item(r["id"], r["channel_id"], r["feed_url"], r["guid"], r["url"], r["title"], r["summary"])
                    for r in await cursor.fetchall()]

    async def mark_skipped(self, item_ids: list[int]) -> None:
        """Items no digest will carry: held back by the filters, or impossible to brief."""
        async with self.database.transaction() as db:
            await db.executemany("UPDATE items SET posted_message_id = ? WHERE id = ?",
                                 [(SKIPPED, item_id) for item_id in item_ids])

    async def mark_posted(self, item_ids: list[int], message_id: int) -> None:
        """Called once the message is sent: the items and the message are recorded together."""
        async with self.database.transaction() as db:
            await db.executemany("UPDATE items SET posted_message_id = ? WHERE id = ?",
                                 [(message_id, item_id) for item_id in item_ids])


def _channel(row: aiosqlite.Row) -> Channel:
    def split(raw: str) -> tuple[str, ...]:
        return tuple(p for p in raw.split(_SEPARATOR) if p)

    return Channel(row["chat_id"], row["title"], row["owner_id"], row["language"], row["items"],
                   split(row["include"]), split(row["exclude"]), row["thread_id"], bool(row["paused"]),
                   row["schedule"], row["timezone"])
