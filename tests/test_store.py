"""The store on both databases (issue 15, item 1): an SQLite file, and a real PostgreSQL 15.

Same tables and behaviour on both; every write in a transaction; due digests claimed once
across instances; an SQLite file made by the old `PRAGMA user_version` migrations is migrated
in place, its rows kept.
"""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import text

from bot.core.brief import Brief, SourceInfo
from bot.store.cache import BriefCache, brief_key
from bot.store.channels import MAX_FEEDS, MAX_UNPOSTED, SKIPPED, Channel, ChannelStore, TooManyFeeds
from bot.store.chats import ChatSettings, ChatSettingsStore
from bot.store.database import Database
from bot.store.legacy import MIGRATIONS
from bot.store.pending import PendingBriefs

CHANNEL = -1001234567890   # Telegram channel ids need 64 bits


def entry(n: int) -> dict[str, str]:
    return {"guid": f"g{n}", "url": f"https://news.example/{n}", "title": f"Story {n}", "summary": "…"}


async def test_settings_are_saved_replaced_and_read_back(database):
    chats = ChatSettingsStore(database)
    assert await chats.get(CHANNEL) == ChatSettings(CHANNEL)
    await chats.save(ChatSettings(CHANNEL, "ar", 3, frozenset({"fr", "en"}), True, "ru"))
    await chats.save((await chats.get(CHANNEL)).with_values(points=5))
    assert await chats.get(CHANNEL) == ChatSettings(CHANNEL, "ar", 5, frozenset({"fr", "en"}), True, "ru")


async def test_briefs_and_their_sources_are_cached(database):
    cache = BriefCache(database)
    brief = Brief(SourceInfo(url="https://x.example/a", language="ar"), "en", "Title", ["One.", "Two."])
    stored = await cache.remember_source("https://x.example/a", None)
    assert await cache.remember_source("https://x.example/a", None) == stored   # kept once
    document = await cache.remember_source(None, None, b"%PDF-1.4 \x00\xff", "a.pdf")
    assert (await cache.source(document.key)).document == b"%PDF-1.4 \x00\xff"
    key = brief_key(stored.key, to="en")
    await cache.put(key, brief)
    await cache.put(key, brief)   # replaced, not refused
    assert await cache.get(key) == brief
    assert await cache.get("other") is None
    expired = BriefCache(database, max_age=-1)
    assert await expired.get(key) is None
    await expired.forget_old()
    assert await cache.source(stored.key) is None


async def test_channels_feeds_and_items(database):
    store = ChannelStore(database)
    channel = Channel(CHANNEL, "News", owner_id=7, include=("a, b", "c"), schedule="every 6h")
    await store.save(channel)
    await store.save(channel.with_values(title="World news"))
    assert await store.get(CHANNEL) == channel.with_values(title="World news")
    assert [c.chat_id for c in await store.owned_by(7)] == [CHANNEL]

    assert await store.add_feed(CHANNEL, "https://a.example/rss") is True
    assert await store.add_feed(CHANNEL, "https://a.example/rss") is False
    added, refused = await store.add_feeds(CHANNEL, [f"https://f{n}.example/rss" for n in range(MAX_FEEDS + 5)])
    assert (added, refused) == (MAX_FEEDS - 1, 6)
    with pytest.raises(TooManyFeeds):
        await store.add_feed(CHANNEL, "https://one-more.example/rss")
    assert await store.remove_feed(CHANNEL, "https://a.example/rss") is True
    assert await store.remove_feed(CHANNEL, "https://a.example/rss") is False
    feed = (await store.feeds(CHANNEL))[0]
    await store.feed_failed(feed, retry_at=99.5, reported=True)
    await store.feed_failed(feed, retry_at=100.5, reported=True)
    failed = (await store.feeds(CHANNEL))[0]
    assert (failed.failures, failed.retry_at, failed.reported) == (2, 100.5, True)
    await store.feed_fetched(failed, "etag", None)
    assert (await store.feeds(CHANNEL))[0].failures == 0

    assert await store.add_items(CHANNEL, "https://f0.example/rss", [entry(n) for n in range(3)], now=1000) == 3
    assert await store.add_items(CHANNEL, "https://f0.example/rss", [entry(n) for n in range(4)], now=1001) == 1
    waiting = await store.unposted(CHANNEL)
    assert [item.guid for item in waiting] == ["g0", "g1", "g2", "g3"]
    await store.mark_posted([waiting[0].id, waiting[1].id], 555)
    await store.mark_skipped([waiting[2].id])
    assert [item.guid for item in await store.unposted(CHANNEL)] == ["g3"]

    await store.delete(CHANNEL)   # its feeds and items go with it
    assert await store.get(CHANNEL) is None and await store.feeds(CHANNEL) == []


async def test_waiting_items_are_capped_to_the_newest(database):
    store = ChannelStore(database)
    await store.save(Channel(CHANNEL, "News", owner_id=7))
    await store.add_items(CHANNEL, "f", [entry(n) for n in range(MAX_UNPOSTED + 3)], now=1000)
    waiting = await store.unposted(CHANNEL)
    assert len(waiting) == MAX_UNPOSTED and waiting[0].guid == "g3"
    skipped = await database.fetch_one(text(f"SELECT count(*) FROM items WHERE posted_message_id = {SKIPPED}"))
    assert skipped[0] == 3


async def test_pending_briefs_are_kept_until_done(database):
    pending = PendingBriefs(database)
    first = await pending.add(CHANNEL, 7, 10, None, "k1", {"to": "en"}, "en")
    second = await pending.add(CHANNEL, 7, 11, 12, "k2", {"to": "fr", "points": 3}, "fr")
    assert second > first
    await pending.done(first)
    [left] = await pending.all()
    assert (left.id, left.status_message_id, left.choice) == (second, 12, {"to": "fr", "points": 3})


async def test_a_failed_transaction_leaves_nothing(database):
    chats = ChatSettingsStore(database)
    with pytest.raises(RuntimeError):
        async with database.transaction() as connection:
            await connection.execute(text("INSERT INTO chat_settings (chat_id, reads) VALUES (5, 'fr')"))
            raise RuntimeError("half-way")
    assert await chats.get(5) == ChatSettings(5)


async def test_each_due_digest_is_claimed_by_one_instance(database_url):
    """Three instances (each its own engine and pool) claim 20 channels due in the same minute."""
    instances = [await Database.open(database_url) for _ in range(3)]
    try:
        store = ChannelStore(instances[0])
        for n in range(20):
            await store.save(Channel(CHANNEL - n, f"C{n}", owner_id=7, schedule="every 1h"))
            await store.set_next_run(CHANNEL - n, 1000.0)
        await store.save(Channel(1, "Later", owner_id=7))
        await store.set_next_run(1, 4000.0)

        async def claim(database: Database) -> list[int]:
            claimed: list[int] = []
            for _ in range(10):
                batch = await ChannelStore(database).claim_due(1030.0, lambda channel: 1000.0 + 3600, limit=3)
                claimed += [channel.chat_id for channel in batch]
                await asyncio.sleep(0)
            return claimed

        results = await asyncio.gather(*(claim(database) for database in instances))
        everything = [chat_id for claimed in results for chat_id in claimed]
        assert sorted(everything) == sorted(CHANNEL - n for n in range(20))   # each once, none twice
        assert await store.claim_due(1030.0, lambda channel: None) == []
        assert [c.chat_id for c in await store.claim_due(4100.0, lambda channel: None)] == [1]   # the rest: at 4600
    finally:
        for database in instances:
            await database.close()


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS) + 1))
async def test_an_sqlite_file_from_before_alembic_is_migrated_in_place(tmp_path, version):
    path = tmp_path / "briefbot.sqlite3"
    with sqlite3.connect(path) as old:
        for statements in MIGRATIONS[:version]:
            for statement in statements:
                old.execute(statement)
        old.execute(f"PRAGMA user_version = {version}")
        old.execute("INSERT INTO chat_settings (chat_id, target_language, reads) VALUES (5, 'fr', 'de')")
    old.close()

    database = await Database.open(path)
    try:
        assert (await ChatSettingsStore(database).get(5)).target_language == "fr"
        store = ChannelStore(database)
        await store.save(Channel(CHANNEL, "News", owner_id=7))
        await store.set_next_run(CHANNEL, 10.0)
        assert [c.chat_id for c in await store.claim_due(20.0, lambda channel: None)] == [CHANNEL]
        assert await PendingBriefs(database).add(5, 7, 1, None, "k", {}, "en") == 1
        revision = await database.fetch_one(text("SELECT version_num FROM alembic_version"))
        assert revision[0] == "0003"
    finally:
        await database.close()
    reopened = await Database.open(path)   # already at head: opening again changes nothing
    await reopened.close()


async def test_a_new_or_changed_schedule_gets_a_next_run(database):
    from bot.digests.due import next_run_at

    store = ChannelStore(database)
    channel = Channel(CHANNEL, "News", owner_id=7, schedule="every 1h")
    await store.save(channel)
    await store.save(Channel(1, "No schedule", owner_id=7))
    await store.schedule_unscheduled(lambda c: next_run_at(c, 0.0))
    assert [c.chat_id for c in await store.claim_due(3600.0, lambda c: next_run_at(c, 3600.0))] == [CHANNEL]
    await store.save(channel.with_values(title="Renamed"))   # same schedule: its next run is kept
    assert await store.claim_due(7199.0, lambda c: None) == []
    await store.save(channel.with_values(schedule="at 03:00"))   # was due at 7200 (02:00), now at 10800
    await store.schedule_unscheduled(lambda c: next_run_at(c, 3700.0))
    assert await store.claim_due(7201.0, lambda c: None) == []
    assert [c.chat_id for c in await store.claim_due(10800.0, lambda c: None)] == [CHANNEL]
