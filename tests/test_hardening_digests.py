"""Issue 12, items 1, 2, 3, 9 and 10: no schedule, feed item or pile of items stops the bot,
fails every digest or freezes other chats. The real Application against the fake Bot API,
feeds on 127.0.0.1, a real SQLite file."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

import pytest
import pytest_asyncio
from aiohttp import web

from bot.digests.posts import figure_disagreements
from bot.store.channels import MAX_FEEDS, MAX_UNPOSTED, MAX_UNPOSTED_AGE, Channel, ChannelStore
from bot.store.database import Database
from tests.botharness import bot_settings, running_bot
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import rss
from tests.httpserver import start_on_loopback

CHANNEL, OTHER_CHANNEL = -1001234, -1005678
ADMIN, READER = 7, 9
DATABASE = "briefbot.sqlite3"


@pytest.fixture
def api(api: FakeBotAPI) -> FakeBotAPI:
    api.add_channel(CHANNEL, "harbour_news", "Harbour News", {ADMIN: "administrator"})
    return api


@pytest_asyncio.fixture
async def bad_item_feed(feeds):
    """A feed whose first item links to a host with a 300-character label (an IDNA UnicodeError)."""
    body = rss([("bad", "A story behind a broken link", "http://" + "a" * 300 + ".example/story",
                 "Nova Marina opened a plant that makes 120,000 cubic metres of water a day."),
                ("good", "Harbour FC wins the coastal cup", feeds.url("/story/football"),
                 "Harbour FC beat Blue Bay United in the final of the coastal cup.")])
    app = web.Application()
    app.router.add_get("/bad.xml", lambda request: web.Response(text=body, content_type="application/rss+xml"))
    runner, port = await start_on_loopback(app)
    yield f"http://127.0.0.1:{port}/bad.xml", port
    await runner.cleanup()


def replies(api: FakeBotAPI, user: int) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", user)]


def posts(api: FakeBotAPI) -> str:
    return "\n".join(c.params["text"] for c in api.sent("sendMessage", CHANNEL))


async def command(api: FakeBotAPI, user: int, text: str, timeout: float = 30) -> str:
    before = len(replies(api, user))
    api.message(user, text)
    return (await api.wait_for(lambda a: len(replies(a, user)) > before and replies(a, user), timeout=timeout))[-1]


async def test_an_absurd_interval_is_refused_and_a_bad_stored_one_does_not_stop_the_bot(api, feeds, tmp_path):
    settings = bot_settings(api, tmp_path, feeds.port)
    async with running_bot(settings):
        reply = await command(api, ADMIN, "/schedule @harbour_news every 100000000h")
    assert "once a week" in reply
    with sqlite3.connect(tmp_path / DATABASE) as db:
        assert db.execute("SELECT count(*) FROM channels WHERE schedule != ''").fetchone() == (0,)
        # what an older version stored, and a time zone that no longer exists
        db.execute("INSERT INTO channels (chat_id, title, owner_id, schedule) VALUES (?, 'Bad', 1, 'every 100000000h')",
                   (OTHER_CHANNEL,))
        db.execute("INSERT INTO channels (chat_id, title, owner_id, schedule, timezone)"
                   " VALUES (-1009, 'Gone', 1, 'at 08:00', 'Mars/Olympus')")
        db.execute("INSERT INTO channels (chat_id, title, owner_id, schedule) VALUES (?, 'Good', 1, 'every 6h')",
                   (CHANNEL,))
    async with running_bot(settings) as application:
        assert await command(api, READER, "/help")  # the bot started and answers
        jobs = application.job_queue.get_jobs_by_name(f"digest:{CHANNEL}")
        assert len(jobs) == 1 and not application.job_queue.get_jobs_by_name(f"digest:{OTHER_CHANNEL}")
        # every 6h: at 00:00, 06:00, 12:00, 18:00 UTC, however recently the bot started (item 9)
        next_time = jobs[0].next_t.astimezone(UTC)
        assert next_time.hour % 6 == 0 and next_time.minute == 0
        assert next_time - datetime.now(UTC) <= jobs[0].job.trigger.interval


async def test_a_bad_item_never_fails_the_digest(api, feeds, bad_item_feed, tmp_path):
    url, port = bad_item_feed
    settings = bot_settings(api, tmp_path, feeds.port).with_values({"fetch_ports": f"80,443,{feeds.port},{port}"})
    async with running_bot(settings):
        assert "is now attached" in await command(api, ADMIN, f"/sub @harbour_news {url}")
        assert "Posted" in await command(api, ADMIN, "/digest @harbour_news now")
    text = posts(api)
    assert "Harbour FC" in text                      # the good item
    assert "A story behind a broken link" in text    # the bad one, from its feed summary


async def test_items_held_back_by_filters_stay_held_back(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        assert "is now attached" in await command(api, ADMIN, f"/sub @harbour_news {feeds.url('/a.xml')}")
        await command(api, ADMIN, "/settings @harbour_news exclude football, cup")
        assert "Posted" in await command(api, ADMIN, "/digest @harbour_news now")
        await command(api, ADMIN, "/settings @harbour_news exclude")      # the filter is lifted
        assert "Nothing new" in await command(api, ADMIN, "/digest @harbour_news now")
    assert "desalination" in posts(api) and "Harbour FC" not in posts(api)


async def test_waiting_items_and_feeds_are_bounded(tmp_path):
    database = await Database.open(tmp_path / DATABASE)
    store = ChannelStore(database)
    try:
        await store.save(Channel(CHANNEL, "Harbour News", ADMIN))
        now = time.time()
        old = [{"guid": f"old{n}", "url": f"https://n.example/old{n}", "title": "old", "summary": ""} for n in range(10)]
        await store.add_items(CHANNEL, "https://n.example/feed", old, now=now - MAX_UNPOSTED_AGE - 60)
        new = [{"guid": f"g{n}", "url": f"https://n.example/{n}", "title": f"t{n}", "summary": ""} for n in range(600)]
        await store.add_items(CHANNEL, "https://n.example/feed", new, now=now)
        waiting = await store.unposted(CHANNEL)
        assert len(waiting) == MAX_UNPOSTED and not any(item.guid.startswith("old") for item in waiting)
        # the pruned ones are remembered: the feed cannot bring them back
        assert await store.add_items(CHANNEL, "https://n.example/feed", old + new, now=now) == 0

        started = time.monotonic()
        added, left_out = await store.add_feeds(CHANNEL, [f"https://n.example/{n}.xml" for n in range(100_000)])
        assert (added, left_out) == (MAX_FEEDS, 100_000 - MAX_FEEDS)
        assert time.monotonic() - started < 5
        assert len(await store.feeds(CHANNEL)) == MAX_FEEDS
    finally:
        await database.close()


async def test_other_chats_are_answered_while_big_feeds_and_files_are_read(api, feeds, tmp_path):
    """2,000 unposted items and a 100,000-outline OPML: /help from another chat within 1 s."""
    settings = bot_settings(api, tmp_path, feeds.port)
    async with running_bot(settings):
        assert "is now attached" in await command(api, ADMIN, f"/sub @harbour_news {feeds.url('/a.xml')}")
    with sqlite3.connect(tmp_path / DATABASE) as db:  # what an older version let pile up
        db.executemany("INSERT INTO items (channel_id, feed_url, guid, url, title, summary, seen)"
                       " VALUES (?, 'f', ?, ?, ?, ?, ?)",
                       [(CHANNEL, f"pile{n}", feeds.url(f"/story/pile{n}"), f"Pile story {n} of the harbour",
                         f"Something number {n} happened at the harbour today.", time.time()) for n in range(2000)])
    outlines = "".join(f'<outline text="F{n}" xmlUrl="https://n.example/{n}.xml"/>' for n in range(100_000))
    api.files["big-opml"] = f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()
    async with running_bot(settings):
        api.message(ADMIN, "/digest @harbour_news now")
        api.push({"message": {"message_id": 61, "date": 0, "chat": {"id": ADMIN, "type": "private"},
                              "from": {"id": ADMIN, "is_bot": False, "first_name": "A"}, "caption": "/opml @harbour_news",
                              "document": {"file_id": "big-opml", "file_unique_id": "big-opml",
                                           "file_name": "feeds.opml", "file_size": len(api.files["big-opml"])}}})
        await api.wait_for(lambda a: a.sent("getFile"))
        started = time.monotonic()
        await command(api, READER, "/help", timeout=5)
        answered_in = time.monotonic() - started
        imported = await api.wait_for(lambda a: [t for t in replies(a, ADMIN) if "Attached" in t], timeout=30)
        await api.wait_for(lambda a: [t for t in replies(a, ADMIN) if "Posted" in t], timeout=60)
    assert answered_in < 1.0
    assert f"Attached {MAX_FEEDS - 1} new feed(s) of 100000" in imported[0] and "left out" in imported[0]


def test_a_difference_is_listed_once():
    texts = {"a.example": "The plant hired 140 people. Officials said 140 people were hired.",
             "b.example": "The plant hired 150 people, and 150 people will work there."}
    differences = figure_disagreements(texts, "en")
    assert len(differences) == len(set(differences)) == 1, differences
