"""Channel digests with the real PTB Application, the fake Bot API and feeds on 127.0.0.1."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Application, Job

from bot.core.brief import Brief, KeyFigure, SourceInfo
from bot.core.render.telegram_html import utf16_length, visible_text
from bot.digests.posts import DigestEntry, assemble_posts, figure_disagreements
from bot.digests.schedule import Schedule, next_run, parse_schedule
from bot.digests.stories import canonical_url, group_stories
from tests.botharness import ADMIN, CHANNEL, STRANGER, bot_settings, posts, replies, running_bot, with_harbour_channel
from tests.fakebotapi import BOT_USER, FakeBotAPI
from tests.feedserver import FeedServer


@pytest.fixture
def api(api: FakeBotAPI) -> FakeBotAPI:
    return with_harbour_channel(api)


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


async def test_an_arabic_channel_gets_an_arabic_title_and_each_entry_the_headings_of_its_brief(api, feeds, tmp_path):
    """Issue 11: labels come from the catalogs. With no English→Arabic model the English stories
    stay English, headings included; the digest's title is in the channel's language."""
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        assert "language: ar" in await command(api, ADMIN, "/settings @harbour_news language ar")
        assert "Posted" in await command(api, ADMIN, "/digest @harbour_news now")
    text = "\n".join(posts(api))
    assert text.startswith("<b>موجز: Harbour News</b>") and "Digest:" not in text
    assert "<b>Key figures:</b>" in text and "الأرقام الرئيسية" not in text


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
    expected = next_run(parse_schedule("at 08:00,20:00 Asia/Riyadh"), datetime.now(UTC))
    assert next_times[0] == expected
    assert {t.astimezone(ZoneInfo("Asia/Riyadh")).hour for t in next_times} == {8, 20}


def test_next_run_with_a_controlled_clock():
    riyadh = parse_schedule("at 08:00,20:00 Asia/Riyadh")
    now = datetime(2026, 3, 1, 4, 30, tzinfo=UTC)  # 07:30 in Riyadh
    assert next_run(riyadh, now) == datetime(2026, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Riyadh"))
    assert next_run(riyadh, datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == \
        datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Riyadh"))
    # "every 6h" runs at 00:00, 06:00, 12:00, 18:00 UTC whenever the bot was started
    assert next_run(parse_schedule("every 6h"), now) == datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_schedule("every 5m")
    with pytest.raises(ValueError):
        parse_schedule("at 25:00")
    with pytest.raises(ValueError, match="'Mars/Olympus' is not a time zone"):
        parse_schedule("at 8:00 Mars/Olympus")
    assert parse_schedule("at 8:00 UTC") == Schedule(times=(datetime(2026, 1, 1, 8).time(),))


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


# ---- the digest domain without Telegram: stories, disagreements, posts -------------------

def test_canonical_urls_ignore_www_tracking_fragments_and_trailing_slashes():
    assert canonical_url("https://WWW.News.example/a/b/?utm_source=x&id=3&fbclid=1#top") == \
        "https://news.example/a/b?id=3"
    assert canonical_url("https://news.example/a/b?id=3") != canonical_url("https://news.example/a/b?id=4")


def test_stories_group_the_same_link_and_the_same_text_in_order_of_first_sight():
    plant = "Coastal city opens desalination plant after two dry summers, the water authority said on Thursday"
    items = [
        ("a1", "https://www.a.example/plant/?utm_campaign=feed", "Desalination plant opens"),
        ("b1", "https://b.example/football", "Harbour FC win the cup in extra time after a goalless match"),
        ("a2", "https://a.example/plant", "A different headline for the same link"),
        ("c1", "https://c.example/story-9", plant),
        ("d1", "https://d.example/other-9", plant.replace("Thursday", "Thursday morning")),
    ]
    stories = group_stories(items, url_of=lambda item: item[1], text_of=lambda item: item[2])
    assert [[item[0] for item in story.items] for story in stories] == [["a1", "a2"], ["b1"], ["c1", "d1"]]


def test_stories_keep_different_texts_apart():
    items = ["Harbour FC win the cup in extra time", "Parliament passes the water budget after a long debate"]
    stories = group_stories(items, url_of=lambda text: f"https://x.example/{len(text)}", text_of=lambda text: text)
    assert len(stories) == 2


def test_figure_disagreements_name_both_outlets_once():
    texts = {"a.example": "Clashes killed 140 people on Tuesday, officials said.",
             "b.example": "Clashes killed 150 people on Tuesday, officials said."}
    assert figure_disagreements(texts, "en") == ["140 people (a.example) vs 150 people (b.example)"]


def test_figure_disagreements_ignore_agreement_dates_and_one_outlet_alone():
    agreeing = {"a.example": "The plant cost $310 million.", "b.example": "It cost $310 million in all."}
    dates = {"a.example": "Clashes killed 140 people on 3 March.", "b.example": "Clashes killed 140 people on 4 March."}
    alone = {"a.example": "Clashes killed 140 people, and later 150 people."}
    assert figure_disagreements(agreeing, "en") == []
    assert figure_disagreements(dates, "en") == []
    assert figure_disagreements(alone, "en") == []


def _entry(number: int, points: int = 2, words: int = 12) -> DigestEntry:
    brief = Brief(SourceInfo(url=f"https://a.example/{number}"), "en", f"Story {number}",
                  [" ".join(["word"] * words) + f" {number}." for _ in range(points)],
                  figures=[KeyFigure("140", "140 people", "number", "140")])
    return DigestEntry(brief, [("A", f"https://a.example/{number}"), ("B", f"https://b.example/{number}")],
                       item_ids=[number * 10, number * 10 + 1])


def test_posts_hold_whole_entries_within_the_limit_and_carry_each_item_once():
    entries = [_entry(number) for number in range(1, 8)]
    posts = assemble_posts(entries, "Harbour News", limit=700)
    assert len(posts) > 1
    assert all(utf16_length(visible_text(markup)) <= 700 for markup, _ in posts)
    assert [i for _, ids in posts for i in ids] == [i for entry in entries for i in entry.item_ids]
    for markup, ids in posts:  # an entry is in the post that records its items, whole
        for number in {i // 10 for i in ids}:
            assert f"Story {number}</a>" in markup and markup.count(f"word {number}.") == 2
    assert posts[0][0].startswith("<b>Harbour News</b>")


def test_one_entry_longer_than_a_post_is_split_and_its_items_go_with_the_last_part():
    posts = assemble_posts([_entry(1, points=2, words=300)], "Harbour News", limit=1000)
    assert len(posts) >= 2 and all(ids == [] for _, ids in posts[:-1]) and posts[-1][1] == [10, 11]
    assert all(utf16_length(visible_text(markup)) <= 1000 for markup, _ in posts)


def test_posts_name_every_outlet_and_where_they_differ():
    entry = _entry(1)
    entry.disagreements = ["140 people (a.example) vs 150 people (b.example)"]
    (markup, ids), = assemble_posts([entry], "Harbour News")
    assert '<a href="https://b.example/1">B</a>' in markup and "Key figures:</b> <b>140</b>" in markup
    assert "Sources differ: 140 people (a.example) vs 150 people (b.example)" in markup and ids == [10, 11]


async def scheduled_job(application: Application) -> Job[Any]:
    """The channel's digest job, once the starting bot has scheduled the stored channels."""
    for _ in range(100):
        if jobs := application.job_queue.get_jobs_by_name(f"digest:{CHANNEL}"):
            return jobs[0]
        await asyncio.sleep(0.05)
    raise AssertionError("the channel's digest was not scheduled")


async def test_a_channel_dropped_from_allowed_chats_gets_no_scheduled_digest(api, feeds, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await subscribe_both(api, feeds)
        assert "every 1h" in await command(api, ADMIN, "/schedule @harbour_news every 1h")
    # the operator lists other chats now; the channel, attached before, keeps its stored schedule
    async with running_bot(bot_settings(api, tmp_path, feeds.port, allowed_chats="-100999")) as application:
        await (await scheduled_job(application)).run(application)
    assert posts(api) == []
    async with running_bot(bot_settings(api, tmp_path, feeds.port)) as application:  # listed again: it posts
        await (await scheduled_job(application)).run(application)
    assert "desalination" in "\n".join(posts(api))
