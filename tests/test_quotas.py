"""Operators' controls (issue 16, item 5): a daily brief quota per user, the admins' /usage list,
and `allowed_chats` deciding which channels may be attached. End to end with the real
Application against the fake Bot API; the usage table on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.config import Settings
from bot.errors import BriefError
from bot.store.usage import UsageStore, UsageTotals, UserUsage, days_before, utc_day
from bot.telegram.services import services
from tests.botharness import bot_settings, running_bot
from tests.conftest import EXAMPLES
from tests.fakebotapi import FakeBotAPI

ARTICLE = (EXAMPLES / "desalination.en.txt").read_text()
SPENT = "You have had your"
CHANNEL, ADMIN = -1001234, 7


def article(n: int) -> str:
    """A distinct source each time (the cache keys briefs by their source)."""
    return f"{ARTICLE}\n\nThis report was updated {n} times."


def texts_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in api.sent("sendMessage", chat_id)]


def briefs_to(api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.params["text"] for c in api.sent(chat_id=chat_id)
            if c.method in ("sendMessage", "editMessageText") and "Key figures" in c.params.get("text", "")]


async def brief(api: FakeBotAPI, chat_id: int, text: str, language: str = "en") -> None:
    before = len(briefs_to(api, chat_id))
    api.message(chat_id, text, language=language)
    await api.wait_for(lambda a: len(briefs_to(a, chat_id)) > before, timeout=30)


async def settled(api: FakeBotAPI, chat_id: int) -> None:
    """Every update sent to `chat_id` so far has been handled: a /help sent last is answered
    (updates run concurrently, so a short pause lets a dropped request finish being dropped)."""
    helps = len([t for t in texts_to(api, chat_id) if "/lang" in t])
    api.message(chat_id, "/help")
    await api.wait_for(lambda a: len([t for t in texts_to(a, chat_id) if "/lang" in t]) > helps)
    await asyncio.sleep(0.3)


# ---- configuration ------------------------------------------------------------------

def test_quota_and_admins_come_from_the_environment():
    settings = Settings.load(env={"BRIEFBOT_DAILY_QUOTA": "20", "BRIEFBOT_ADMIN_USERS": "12345, 678"})
    assert (settings.daily_quota, settings.admin_users) == (20, {12345, 678})
    assert Settings.load(env={}).daily_quota == 0   # no limit by default
    assert Settings.load(env={"BRIEFBOT_DAILY_QUOTA": "0"}).daily_quota == 0
    with pytest.raises(BriefError, match=r"'daily_quota' must be a positive whole number \(or 0 for no limit\)"):
        Settings.load(env={"BRIEFBOT_DAILY_QUOTA": "-3"})
    with pytest.raises(BriefError, match="must be a positive whole number, not '0'"):
        Settings.load(env={"BRIEFBOT_WORKERS": "0"})  # elsewhere 0 stays refused


# ---- the usage table, on both databases --------------------------------------------------

async def test_counting_is_atomic_and_stops_at_the_limit(database):
    store = UsageStore(database)
    counted = await asyncio.gather(*(store.count(5, "2026-11-26", limit=4) for _ in range(12)))
    assert sorted(c for c in counted if c is not None) == [1, 2, 3, 4] and counted.count(None) == 8
    assert await store.briefs(5, "2026-11-26") == 4
    assert await store.count(5, "2026-11-27", limit=4) == 1          # a new day, a new count
    assert await store.count(5, "2026-11-26") == 5                   # no limit: always counted
    for _ in range(7):
        await store.uncount(5, "2026-11-26")
    assert await store.briefs(5, "2026-11-26") == 0                  # never below nothing


async def test_the_usage_list_sums_the_last_seven_days(database):
    store = UsageStore(database)
    today = "2026-11-26"
    for user, day, briefs in [(1, today, 3), (1, "2026-11-25", 4), (2, today, 1), (3, "2026-11-20", 9),
                              (4, "2026-11-19", 50), (5, "2026-11-27", 8)]:
        for _ in range(briefs):
            await store.count(user, day)
    await store.count(6, today)
    await store.uncount(6, today)   # a brief given back leaves a row with nothing in it
    assert await store.top_users(today, 10) == [UserUsage(3, 0, 9), UserUsage(1, 3, 7), UserUsage(2, 1, 1)]
    assert await store.top_users(today, 1) == [UserUsage(3, 0, 9)]
    assert await store.totals(today) == UsageTotals(today=4, today_users=2, week=17, week_users=3)
    assert await store.totals("2026-01-01") == UsageTotals(0, 0, 0, 0)
    await store.forget_before("2026-11-20")
    assert await store.briefs(4, "2026-11-19") == 0 and await store.briefs(3, "2026-11-20") == 9


def test_days_are_utc_dates():
    assert utc_day(datetime(2026, 11, 26, 23, 30, tzinfo=UTC)) == "2026-11-26"
    assert utc_day(datetime(2026, 11, 27, 1, 30, tzinfo=timezone(timedelta(hours=3)))) == "2026-11-26"
    assert days_before("2026-03-01", 1) == "2026-02-28"


# ---- the quota, end to end ----------------------------------------------------------------

async def test_a_user_over_the_quota_is_told_once_when_it_resets_and_cached_briefs_are_free(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, daily_quota=2)) as application:
        await brief(api, 60, article(1))
        await brief(api, 60, article(1))          # from the cache: costs nothing, not counted
        await brief(api, 60, article(2))
        api.message(60, article(3))
        (notice,) = await api.wait_for(lambda a: [t for t in texts_to(a, 60) if SPENT in t])
        for n in (4, 5, 6):
            api.message(60, article(n))
        await settled(api, 60)
        assert len(briefs_to(api, 60)) == 3
        assert len([t for t in texts_to(api, 60) if SPENT in t]) == 1   # one notice, not one a message
        shared = services(application)
        assert await UsageStore(shared.database).briefs(60, utc_day()) == 2
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        shared.quota.clock = lambda: tomorrow
        await brief(api, 60, article(7))          # a new UTC day: the quota is whole again
    assert notice.startswith("You have had your 2 briefs for today. More from 00:00 UTC, in ")
    hours, minutes = re.fullmatch(r".*, in (\d+) h (\d+) min\.", notice).groups()
    midnight = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), datetime.min.time(), UTC)
    assert abs(int(hours) * 60 + int(minutes) - (midnight - datetime.now(UTC)).total_seconds() / 60) < 2


async def test_the_notice_speaks_the_users_language_and_admins_have_no_quota(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, daily_quota=1, admin_users="61")):
        await brief(api, 62, article(10), language="ar")
        api.message(62, article(11), language="ar")
        (notice,) = await api.wait_for(lambda a: [t for t in texts_to(a, 62) if "UTC" in t])
        for n in (12, 13):
            await brief(api, 61, article(n))
    assert notice.startswith("استهلكت موجزاتك الـ1 لهذا اليوم") and "00:00" in notice


async def test_inline_mode_counts_against_the_same_quota(api, tmp_path, server):
    async with running_bot(bot_settings(api, tmp_path, server.port, daily_quota=1)):
        await brief(api, 63, article(20))
        fetched = server.hits["/article"]   # the server is shared with other tests
        api.push({"inline_query": {"id": "iq63", "from": {"id": 63, "is_bot": False, "first_name": "R"},
                                   "query": server.url("/article"), "offset": ""}})
        answer = await api.wait_for(lambda a: a.sent("answerInlineQuery"), timeout=20)
    assert answer[0].params["results"] == [] and answer[0].params["is_personal"] is True
    assert answer[0].params["button"] == {"text": "Your briefs for today are used up: more from 00:00 UTC",
                                          "start_parameter": "quota"}
    assert server.hits["/article"] == fetched   # refused before the page was fetched


# ---- /usage ------------------------------------------------------------------------------

async def test_admins_see_usage_and_others_are_refused(api, tmp_path):
    async with running_bot(bot_settings(api, tmp_path, admin_users="70", daily_quota=5)) as application:
        await brief(api, 71, article(30))
        await brief(api, 71, article(31))
        store = UsageStore(services(application).database)
        today = utc_day()
        for user, day, briefs in [(72, today, 1), (73, days_before(today, 3), 5), (74, days_before(today, 10), 9)]:
            for _ in range(briefs):
                await store.count(user, day)
        api.message(70, "/usage")
        (report,) = await api.wait_for(lambda a: texts_to(a, 70))
        api.message(70, "/usage 1")
        api.message(71, "/usage")
        api.message(70, "/usage all")
        await api.wait_for(lambda a: len(texts_to(a, 70)) == 3 and texts_to(a, 71)[2:])
        api.message(-500, "/usage", chat_type="group", user_id=70)   # private chats only
        await settled(api, 70)
    assert report.splitlines() == [
        f"Briefs today ({today}, UTC): 3 by 2 user(s)",
        "Last 7 days: 8 by 3 user(s)",
        "Daily quota: 5 briefs per user",
        "",
        "Top users, last 7 days (today):",
        "1. 73: 5 (0)",
        "2. 71: 2 (2)",
        "3. 72: 1 (1)",
    ]
    top_one, wrong = sorted([t for t in texts_to(api, 70)[1:] if "/lang" not in t], key=lambda t: t.startswith("Use"))
    assert top_one.splitlines()[-1] == "1. 73: 5 (0)" and "2. 71" not in top_one
    assert wrong == "Use /usage, or /usage N for the top N users (up to 100)."
    assert texts_to(api, 71)[-1] == "/usage is only for the bot's operators."
    assert texts_to(api, -500) == []


# ---- allowed_chats and attaching channels --------------------------------------------------

async def test_a_channel_outside_allowed_chats_cannot_be_attached(api, feeds, tmp_path):
    api.add_channel(CHANNEL, "harbour_news", "Harbour News", {ADMIN: "administrator"})
    api.add_channel(-1005678, "listed_news", "Listed News", {ADMIN: "administrator"})
    async with running_bot(bot_settings(api, tmp_path, feeds.port, allowed_chats="-1005678")):
        api.message(ADMIN, f"/sub @harbour_news {feeds.url('/a.xml')}")
        api.message(ADMIN, "/schedule @harbour_news every 6h", language="ar")
        await api.wait_for(lambda a: len(texts_to(a, ADMIN)) == 2)
        api.message(ADMIN, f"/sub @listed_news {feeds.url('/a.xml')}")
        await api.wait_for(lambda a: [t for t in texts_to(a, ADMIN) if "is now attached to Listed News" in t])
    refusal, arabic = sorted(texts_to(api, ADMIN)[:2], key=lambda t: t.isascii(), reverse=True)
    assert refusal == ("Harbour News is not on this bot's list of allowed chats, so I cannot post there. "
                       "The bot's operator can add its id, -1001234, to allowed_chats.")
    assert arabic.startswith("Harbour News ليست في قائمة المحادثات المسموح بها") and "-1001234" in arabic
    assert feeds.hits.get("a") == 1   # only the listed channel's feed was fetched
    with sqlite3.connect(tmp_path / "briefbot.sqlite3") as db:
        assert db.execute("SELECT chat_id FROM channels").fetchall() == [(-1005678,)]
