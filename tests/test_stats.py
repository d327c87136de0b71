"""/stats @channel for channel admins (issue 16, item 6): posts, new items per feed, duplicates
merged, figure-guard repairs and feed failures over the last 7 and 30 days. End to end with the
real Application, the fake Bot API and feeds on 127.0.0.1; the events table on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select, text

from bot.core.guard import guard_repairs
from bot.pipeline import Briefer
from bot.store.events import DAY, ChannelEvents, ChannelStats, Counts, FeedCounts
from bot.store.schema import channel_events
from bot.telegram.services import services
from tests.botharness import ADMIN, CHANNEL, STRANGER, bot_settings, replies, running_bot, with_harbour_channel
from tests.fakebotapi import FakeBotAPI
from tests.feedserver import FeedServer


class FigureBender:
    """A stand-in translation model that gets every number wrong (its last digit, plus one), as
    a careless model might: the figure guard must put the article's figures back."""

    name = "figure-bender"
    signature = "figure-bender"

    def __init__(self, source: str = "", target: str = "") -> None:
        self.source, self.target = source, target

    def translator_for(self, source: str, target: str) -> FigureBender:
        return FigureBender(source, target)

    def install_hint(self, source: str, target: str) -> None:
        return None

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        bend = re.compile(r"\d(?!\d)")
        return [f"[{self.target}] " + bend.sub(lambda m: str((int(m.group()) + 1) % 10), t) for t in texts]


@pytest.fixture
def api(api: FakeBotAPI) -> FakeBotAPI:
    return with_harbour_channel(api)


async def command(api: FakeBotAPI, user: int, text: str, language: str = "en") -> str:
    before = len(replies(api, user))
    api.message(user, text, language=language)
    return (await api.wait_for(lambda a: len(replies(a, user)) > before and replies(a, user), timeout=30))[-1]


# ---- end to end ------------------------------------------------------------------------------

async def test_admins_see_a_week_and_a_month_of_their_channel(api, feeds: FeedServer, tmp_path):
    settings = bot_settings(api, tmp_path, feeds.port, target_language="fr")
    async with running_bot(settings, Briefer(settings, translators=FigureBender())) as application:
        assert "I post no digests to Harbour News yet" in await command(api, ADMIN, "/stats @harbour_news")
        digests = services(application).digests   # the bot is up: it answered
        clock = [time.time()]
        digests.clock = lambda: clock[0]
        for feed in ("/a.xml", "/b.xml"):
            assert "is now attached" in await command(api, ADMIN, f"/sub @harbour_news {feeds.url(feed)}")
        assert "Posted" in await command(api, ADMIN, "/digest @harbour_news now")
        posted = len(api.sent("sendMessage", CHANNEL))
        feeds.failing.add("b")
        clock[0] += 7 * 3600
        assert "Nothing new" in await command(api, ADMIN, "/digest @harbour_news now")
        week = await command(api, ADMIN, "/stats @harbour_news")
        clock[0] += 10 * DAY
        await command(api, ADMIN, "/digest @harbour_news now")
        month = await command(api, ADMIN, "/stats @harbour_news")
        arabic = await command(api, ADMIN, "/stats @harbour_news", language="ar")
        refused = await command(api, STRANGER, "/stats @harbour_news")
        unknown = await command(api, ADMIN, "/stats @nowhere_news")
        usage = await command(api, ADMIN, "/stats")
    repairs = int(re.search(r"Figure-guard repairs: (\d+) / \1\n", week)[1])
    assert repairs >= 1   # every translated figure was bent, and put back
    a, b = feeds.url("/a.xml"), feeds.url("/b.xml")
    assert week.splitlines() == [
        "Harbour News, last 7 days / last 30 days:",
        f"Posts: {posted} / {posted}",
        "Duplicates merged: 1 / 1",           # the desalination story, from both feeds
        f"Figure-guard repairs: {repairs} / {repairs}",
        "Feed failures: 1 / 1",
        "New items per feed:",
        f"• {a}: 2 / 2",
        f"• {b}: 1 / 1; failures 1 / 1",
    ]
    assert month.splitlines()[1:] == [
        f"Posts: 0 / {posted}",
        "Duplicates merged: 0 / 1",
        f"Figure-guard repairs: 0 / {repairs}",
        "Feed failures: 1 / 2",
        "New items per feed:",
        f"• {a}: 0 / 2",
        f"• {b}: 0 / 1; failures 1 / 2",
    ]
    assert arabic.startswith("Harbour News، آخر 7 أيام / آخر 30 يومًا:\nالمنشورات: 0 / ")
    assert refused == "Only an administrator of Harbour News can do that."
    assert unknown.startswith("I cannot see @nowhere_news")
    assert usage == "Use /stats @channel"


async def test_a_removed_feed_keeps_its_numbers(api, feeds: FeedServer, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, feeds.port)):
        await command(api, ADMIN, f"/sub @harbour_news {feeds.url('/a.xml')}")
        await command(api, ADMIN, f"/sub @harbour_news {feeds.url('/b.xml')}")
        assert await command(api, ADMIN, f"/unsub @harbour_news {feeds.url('/a.xml')}") == "Removed."
        report = await command(api, ADMIN, "/stats @harbour_news")
    assert report.splitlines()[-3:] == ["New items per feed:", f"• {feeds.url('/b.xml')}: 1 / 1",
                                        f"• {feeds.url('/a.xml')}: 2 / 2"]


# ---- the events table, on both databases ------------------------------------------------------

async def test_events_are_summed_over_7_and_30_days_and_pruned_after_30(database):
    clock = [1_000 * DAY]
    events = ChannelEvents(database, lambda: clock[0])
    start = clock[0]

    async def at(day: float) -> None:
        clock[0] = start + day * DAY

    await at(0)
    await events.record(CHANNEL, "post")
    await events.record(CHANNEL, "item", 5, "https://a.example/feed")
    await events.record(-1009, "post", 4)                     # another channel
    await at(20)
    await events.record(CHANNEL, "post")
    await events.record(CHANNEL, "feed_failure", feed_url="https://a.example/feed")
    await events.record(CHANNEL, "guard_repair", 0)           # nothing found, nothing recorded
    await at(27)
    await events.record(CHANNEL, "duplicate", 2)
    await events.record(CHANNEL, "item", 3, "https://b.example/feed")
    await at(29)
    assert await events.summary(CHANNEL) == ChannelStats(
        totals={"post": Counts(0, 2), "item": Counts(3, 8), "duplicate": Counts(2, 2),
                "guard_repair": Counts(0, 0), "feed_failure": Counts(0, 1)},
        feeds=[FeedCounts("https://a.example/feed", Counts(0, 5), Counts(0, 1)),
               FeedCounts("https://b.example/feed", Counts(3, 3), Counts(0, 0))])
    await at(45)
    await events.record(CHANNEL, "post")                      # and the month before day 15 goes
    rows = await database.fetch_one(select(func.count()).select_from(channel_events))
    assert rows[0] == 5                                        # days 20 and 27, two each, and today's
    assert (await events.summary(CHANNEL)).totals["post"] == Counts(1, 2)   # today's, and day 20's


async def test_a_failed_record_never_fails_the_digest(database, caplog):
    events = ChannelEvents(database)
    async with database.transaction() as connection:
        await connection.execute(text("DROP TABLE channel_events"))
    await events.record(CHANNEL, "post")
    assert "could not record 1 post event(s)" in caplog.text


def test_guard_repairs_are_the_figure_guards_warnings():
    assert guard_repairs(["Figure guard: changed figures were restored from the source: 140 (not 141).",
                          "No ar→en translation model is installed.",
                          "Figure guard: numbers not in the source were removed: 7"]) == 2
    assert guard_repairs([]) == 0
