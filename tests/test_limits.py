"""Issue 15, items 2 and 4: per-user limits with `limits` (memory in one process, Redis when
scaled out) and one send budget in Redis shared by every front end and worker: 1 message a
second to a chat, 20 a minute to a group (small windows here), 429s honoured by all."""

from __future__ import annotations

import asyncio

import pytest
from limits import RateLimitItemPerSecond
from redis.asyncio import Redis
from telegram.ext import ExtBot

from bot.config import Settings
from bot.queue.budget import SendLimits, SharedSendBudget, SharedStorage, chat_of
from bot.telegram.fairness import RateLimited, UserRateLimit
from tests.fakebotapi import TOKEN, FakeBotAPI

REDIS_DATABASE = 63   # one of its own: tests/test_queue.py numbers its databases up from 1
FAST = RateLimitItemPerSecond(1000)   # a window that never holds a test up


@pytest.fixture
async def redis_url(redis_server) -> str:
    url = redis_server.url(REDIS_DATABASE)
    redis = Redis.from_url(url)
    await redis.flushdb()
    await redis.aclose()
    return url


async def refusal(limit: UserRateLimit, user_id: int) -> RateLimited:
    with pytest.raises(RateLimited) as refused:
        await limit.admit(user_id)
    return refused.value


# ---- per-user limits ---------------------------------------------------------------------

async def test_a_refused_user_is_told_once_a_window():
    limit = UserRateLimit(limit=2, window=60)
    await limit.admit(1)
    await limit.admit(1)
    first, second = await refusal(limit, 1), await refusal(limit, 1)
    assert (first.first, first.seconds) == (True, 60) and second.first is False


async def test_a_brief_given_back_does_not_count_and_a_refused_one_is_not_counted():
    limit = UserRateLimit(limit=1, window=1)
    await limit.admit(5)
    await limit.give_back(5)   # it came from the cache
    await limit.admit(5)
    for _ in range(3):
        await refusal(limit, 5)
    await limit.give_back(5)   # the one brief counted goes: the refusals were never counted
    await limit.admit(5)


async def test_two_front_ends_share_one_window_per_user_in_redis(redis_url):
    first = UserRateLimit(limit=3, window=2, storage=SharedStorage(redis_url))
    second = UserRateLimit(limit=3, window=2, storage=SharedStorage(redis_url))
    try:
        await first.admit(9)
        await second.admit(9)
        await first.admit(9)
        told = await refusal(second, 9)
        again = await refusal(first, 9)
        assert told.first and not again.first   # one notice, whichever front end refuses
        await second.give_back(9)
        await first.admit(9)
    finally:
        await first.close()
        await second.close()


def test_scaled_out_settings_put_the_user_limit_in_redis_and_one_process_keeps_it_in_memory():
    from limits.aio.storage import MemoryStorage

    assert isinstance(UserRateLimit.for_settings(Settings()).storage, MemoryStorage)
    assert isinstance(UserRateLimit.for_settings(Settings(queue_url="redis://127.0.0.1:1/0")).storage,
                      SharedStorage)


# ---- the shared send budget --------------------------------------------------------------

def budget_bot(api: FakeBotAPI, redis_url: str, limits: SendLimits) -> ExtBot:
    """What one process holds: its own Bot, its own limiter, one Redis."""
    budget = SharedSendBudget(SharedStorage(redis_url), "4242", limits, max_retries=3)
    return ExtBot(TOKEN, base_url=api.base_url, rate_limiter=budget)


async def two_processes(api: FakeBotAPI, redis_url: str, limits: SendLimits) -> tuple[ExtBot, ExtBot]:
    bots = budget_bot(api, redis_url, limits), budget_bot(api, redis_url, limits)
    for bot in bots:
        await bot.initialize()
    return bots


async def stop(*bots: ExtBot) -> None:
    for bot in bots:
        await bot.shutdown()


async def paused(redis_url: str, chat_id: int | None = None) -> None:
    """Waits until a process has seen its 429 and paused the chat (or, with no chat, every send):
    the fake API records a 429 before the process reads it."""
    redis = Redis.from_url(redis_url)
    try:
        for _ in range(500):
            if await redis.exists("briefbot-limits:pause/4242" + (f"/{chat_id}" if chat_id else "")):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("no pause was set")
    finally:
        await redis.aclose()


def times(api: FakeBotAPI, chat_id: int) -> list[float]:
    return sorted(call.at for call in api.sent("sendMessage", chat_id))


async def test_two_processes_together_send_at_most_one_message_a_second_to_a_chat(api, redis_url):
    a, b = await two_processes(api, redis_url, SendLimits(per_bot=FAST))
    try:
        await asyncio.gather(a.send_message(7, "a1"), b.send_message(7, "b1"), a.send_message(7, "a2"),
                             b.send_message(8, "another chat"))
    finally:
        await stop(a, b)
    sent = times(api, 7)
    assert len(sent) == 3
    assert all(later - earlier >= 0.95 for earlier, later in zip(sent, sent[1:], strict=False)), sent
    assert times(api, 8)[0] - sent[0] < 0.5   # another chat does not wait for this one


async def test_a_429_seen_by_one_process_pauses_that_chat_for_the_other(api, redis_url):
    a, b = await two_processes(api, redis_url, SendLimits(per_bot=FAST, per_chat=FAST))
    api.fail_next("sendMessage", retry_after=1)
    try:
        flooded = asyncio.create_task(a.send_message(11, "flooded"))   # 429, then sent after the pause
        refused = (await api.wait_for(lambda api: api.sent("sendMessage:429")))[0].at
        await paused(redis_url, 11)
        await asyncio.gather(b.send_message(11, "same chat"), b.send_message(12, "other chat"), flooded)
    finally:
        await stop(a, b)
    assert sorted(c.params["text"] for c in api.sent("sendMessage", 11)) == ["flooded", "same chat"]
    assert min(times(api, 11)) - refused >= 0.95          # the other process waited out the pause too
    assert times(api, 12)[0] - refused < 0.5              # the pause was this chat's only


async def test_a_429_without_a_chat_pauses_every_send_of_every_process(api, redis_url):
    a, b = await two_processes(api, redis_url, SendLimits(per_bot=FAST, per_chat=FAST))
    api.fail_next("getMe", retry_after=1)
    try:
        flooded = asyncio.create_task(a.get_me())
        refused = (await api.wait_for(lambda api: api.sent("getMe:429")))[0].at
        await paused(redis_url)
        await asyncio.gather(b.send_message(13, "after the flood"), flooded)
    finally:
        await stop(a, b)
    assert times(api, 13)[0] - refused >= 0.95


async def test_repeated_429s_in_different_chats_are_a_flood_of_the_whole_bot(api, redis_url):
    limits = SendLimits(per_bot=FAST, per_chat=FAST, floods=RateLimitItemPerSecond(1, 10))
    a, b = await two_processes(api, redis_url, limits)
    for _ in range(2):
        api.fail_next("sendMessage", retry_after=1)
    try:
        flooded = [asyncio.create_task(a.send_message(14, "one")), asyncio.create_task(b.send_message(15, "two"))]
        refused = (await api.wait_for(lambda api: len(api.sent("sendMessage:429")) == 2 and api.sent("sendMessage:429")))[-1].at
        await paused(redis_url)
        await asyncio.gather(a.send_message(16, "a third chat"), *flooded)
    finally:
        await stop(a, b)
    assert len(api.sent("sendMessage:429")) == 2
    assert times(api, 16)[0] - refused >= 0.95


async def test_a_group_gets_at_most_its_share_per_window_from_all_processes(api, redis_url):
    """20 a minute in production; 3 in 2 seconds here."""
    limits = SendLimits(per_bot=FAST, per_chat=FAST, per_group=RateLimitItemPerSecond(3, 2))
    a, b = await two_processes(api, redis_url, limits)
    try:
        await asyncio.gather(*(bot.send_message(-100500, f"post {n}") for n in range(5) for bot in (a, b)
                               if (n % 2 == 0) == (bot is a)))
    finally:
        await stop(a, b)
    sent = times(api, -100500)
    assert len(sent) == 5
    assert all(sent[n + 3] - sent[n] >= 1.95 for n in range(len(sent) - 3)), sent   # no 4 within 2 s


async def test_the_bot_wide_window_holds_across_chats(api, redis_url):
    limits = SendLimits(per_bot=RateLimitItemPerSecond(2), per_chat=FAST)
    a, b = await two_processes(api, redis_url, limits)
    try:
        await asyncio.gather(*(bot.send_message(20 + n, "hello") for n, bot in enumerate((a, b, a, b))))
    finally:
        await stop(a, b)
    sent = sorted(call.at for call in api.sent("sendMessage"))
    assert len(sent) == 4 and sent[2] - sent[0] >= 0.95 and sent[3] - sent[1] >= 0.95


def test_chats_are_told_apart_from_groups_and_channels_as_ptb_does():
    assert chat_of({"text": "no chat"}) is None
    assert (chat_of({"chat_id": 5}).group, chat_of({"chat_id": "-100123"}).group) == (False, True)
    assert chat_of({"chat_id": "@news"}).group and chat_of({"chat_id": "@news"}).key == "@news"
