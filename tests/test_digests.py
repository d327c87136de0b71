"""Channel digests with the real PTB Application, the fake Bot API and feeds on 127.0.0.1."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.digests.schedule import Schedule, next_run, parse_schedule
from tests.botharness import bot_settings, running_bot
from tests.fakebotapi import BOT_USER, FakeBotAPI
from tests.feedserver import FeedServer

CHANNEL = -1001234
ADMIN, STRANGER = 7, 8


@pytest_asyncio.fixture
async def api():
    fake = FakeBotAPI()
    fake.chats["@harbour_news"] = {"id": CHANNEL, "type": "channel", "title": "Harbour News", "username": "harbour_news"}
    fake.chat_members[(CHANNEL, ADMIN)] = "administrator"
    fake.chat_members[(CHANNEL, STRANGER)] = "member"
    fake.chat_members[(CHANNEL, BOT_USER["id"])] = "administrator"
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def feeds():
    server = FeedServer()
    await server.start()
    yield server
    await server.stop()


def replies(api: FakeBotAPI, user: int) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", user)]


def posts(api: FakeBotAPI) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", CHANNEL)]


async def command(api: FakeBotAPI, user: int, text: str) -> str:
    before = len(replies(api, user))
    api.message(user, text)
    return (await api.wait_for(lambda a: len(replies(a, user)) > before and replies(a, user), timeout=30))[-1]


async def subscribe_both(api: FakeBotAPI, feeds: FeedServer) -> None:
    for feed in ("/a.xml", "/b.xml"):
        assert "is now attached" in await command(api, ADMIN, f"/sub @harbour_news {feeds.url(feed)}")


async def test_an_admin_subscribes_and_a_digest_is_posted(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        assert "Posted" in await command(api, ADMIN, "/digest @harbour_news now")
    text = "\n".join(posts(api))
    assert "120,000" in text and "$310 million" in text            # figures from the article itself
    assert text.count("desalination plant after two dry summers") == 1   # one story from two feeds
    assert "127.0.0.1" in text and "Sources:" in text
    assert "140" in text and "150" in text and "Sources differ" in text  # where the outlets disagree
    assert "Harbour FC" in text


async def test_a_non_admin_is_refused_and_nothing_is_stored(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        reply = await command(api, STRANGER, f"/sub @harbour_news {feeds.url('/a.xml')}")
    assert "Only an administrator" in reply
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM channels").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM feeds").fetchone() == (0,)


async def test_the_bot_must_be_allowed_to_post(api, feeds, tmp_path):
    api.chat_members[(CHANNEL, BOT_USER["id"])] = "member"
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        reply = await command(api, ADMIN, f"/sub @harbour_news {feeds.url('/a.xml')}")
    assert "Make me an administrator" in reply


async def test_something_that_is_not_a_feed_is_refused(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        reply = await command(api, ADMIN, f"/sub @harbour_news {feeds.url('/garbage.xml')}")
    assert "cannot be used" in reply


async def test_keyword_filters_leave_stories_out(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        assert "exclude: football, cup" in await command(api, ADMIN, "/settings @harbour_news exclude football, cup")
        await command(api, ADMIN, "/digest @harbour_news now")
    text = "\n".join(posts(api))
    assert "desalination" in text and "Harbour FC" not in text


async def test_a_restart_between_two_digests_posts_nothing_twice(api, feeds, tmp_path):
    settings = bot_settings(api, tmp_path, feeds.port)
    async with running_bot(settings):
        await subscribe_both(api, feeds)
        await command(api, ADMIN, "/digest @harbour_news now")
    first = len(posts(api))
    async with running_bot(settings):
        assert "Nothing new" in await command(api, ADMIN, "/digest @harbour_news now")
    assert len(posts(api)) == first
    assert feeds.not_modified >= 2  # the second digest asked with the feeds' ETags


async def test_a_failing_feed_does_not_stop_the_others_and_is_reported_once(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)) as application:
        await subscribe_both(api, feeds)
        feeds.failing.add("b")
        digests = application.bot_data["services"].digests
        clock = [datetime.now().timestamp()]
        digests.clock = lambda: clock[0]
        assert "Posted" in await command(api, ADMIN, "/digest @harbour_news now")
        for _ in range(4):
            clock[0] += 7 * 3600  # past any backoff
            await command(api, ADMIN, "/digest @harbour_news now")
    reports = [t for t in replies(api, ADMIN) if "has failed" in t]
    assert len(reports) == 1 and feeds.url("/b.xml") in reports[0]
    assert "desalination" in "\n".join(posts(api))


async def test_the_schedule_fires_in_the_channels_time_zone(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)) as application:
        await subscribe_both(api, feeds)
        reply = await command(api, ADMIN, "/schedule @harbour_news at 08:00,20:00 Asia/Riyadh")
        jobs = application.job_queue.get_jobs_by_name(f"digest:{CHANNEL}")
        next_times = sorted(job.next_t for job in jobs)
    assert "Asia/Riyadh" in reply and len(jobs) == 2
    expected = next_run(parse_schedule("at 08:00,20:00 Asia/Riyadh"), datetime.now(timezone.utc))
    assert next_times[0] == expected
    assert {t.astimezone(ZoneInfo("Asia/Riyadh")).hour for t in next_times} == {8, 20}


def test_next_run_with_a_controlled_clock():
    riyadh = parse_schedule("at 08:00,20:00 Asia/Riyadh")
    now = datetime(2026, 3, 1, 4, 30, tzinfo=timezone.utc)  # 07:30 in Riyadh
    assert next_run(riyadh, now) == datetime(2026, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Riyadh"))
    assert next_run(riyadh, datetime(2026, 3, 1, 17, 0, tzinfo=timezone.utc)) == \
        datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Riyadh"))
    assert next_run(parse_schedule("every 6h"), now) == datetime(2026, 3, 1, 10, 30, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        parse_schedule("every 5m")
    with pytest.raises(ValueError):
        parse_schedule("at 25:00")
    assert parse_schedule("at 8:00 Mars/Olympus".replace("Mars/Olympus", "UTC")) == Schedule(times=(datetime(2026, 1, 1, 8).time(),))


async def test_opml_export_and_import(api, feeds, tmp_path):
    opml = (f'<?xml version="1.0"?><opml version="2.0"><body><outline text="A" xmlUrl="{feeds.url("/a.xml")}"/>'
            f'<outline text="B" xmlUrl="{feeds.url("/b.xml")}"/></body></opml>').encode()
    api.files["opml1"] = opml
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        api.push({"message": {"message_id": 60, "date": 0, "chat": {"id": ADMIN, "type": "private"},
                              "from": {"id": ADMIN, "is_bot": False, "first_name": "A"}, "caption": "/opml @harbour_news",
                              "document": {"file_id": "opml1", "file_unique_id": "opml1", "file_name": "feeds.opml",
                                           "file_size": len(opml)}}})
        assert "Attached 2 new feed(s) of 2" in (await api.wait_for(lambda a: replies(a, ADMIN)))[-1]
        api.message(ADMIN, "/opml @harbour_news")
        document = (await api.wait_for(lambda a: a.sent("sendDocument", ADMIN)))[0].params["document"]
    assert feeds.url("/a.xml").encode() in document and feeds.url("/b.xml").encode() in document


async def test_channel_commands_answer_in_the_admins_language(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        api.message(STRANGER, f"/sub @harbour_news {feeds.url('/a.xml')}", language="ar")
        refusal = (await api.wait_for(lambda a: replies(a, STRANGER)))[0]
        api.message(ADMIN, "/schedule @harbour_news every 5m", language="ar")
        bad_schedule = (await api.wait_for(lambda a: replies(a, ADMIN)))[0]
    assert refusal == "لا يستطيع ذلك إلا مشرف في Harbour News."
    assert bad_schedule.startswith("هذا ليس موعدًا صالحًا: ") and "30 minutes" in bad_schedule
