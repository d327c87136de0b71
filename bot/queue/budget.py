"""One send budget for every process of a scaled-out bot, kept in Redis with `limits`.

Telegram's flood limits belong to the bot token, not to a process: about 30 messages a
second for the whole bot, 20 a minute in one group or channel, and no more than one a
second in one chat. Each front end and worker holding its own budget (PTB's
AIORateLimiter) would let N processes send N times that. SharedSendBudget is a
python-telegram-bot rate limiter whose windows live in Redis (limits' moving windows:
the n-th last send must be older than the window), so all processes draw on one budget.

A 429's `retry_after` pauses the chat it came from for every process (a key in Redis
that expires when the pause ends); a 429 without a chat, or the third within ten seconds
whatever the chats, is a flood of the whole bot and pauses every send. Timestamps are
each process's clock: machines that share a budget should keep time with NTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from limits import RateLimitItem, RateLimitItemPerMinute, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import BlockingConnectionPool
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.config import Settings

log = logging.getLogger(__name__)
KEY_PREFIX = "briefbot-limits"
TTL_ROUNDING = 0.5    # seconds: Redis reports a key's time to live rounded to the second
SHORTEST_WAIT = 0.01  # seconds between two tries for a full window, so that waiters do not spin
CONNECTIONS = 16     # to Redis per storage; each call holds one for a round trip (well under a millisecond)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class SharedStorage(RedisStorage):
    """limits' Redis storage (redis-py) on the queue's Redis, with a connection pool of its own
    that `close()` lets go of. The pool is bounded and makes a call wait for a free connection:
    200 updates at once each checking a window must queue, not fail with "Too many connections"
    (what redis-py's default pool does past 100)."""

    def __init__(self, queue_url: str) -> None:
        self.pool = BlockingConnectionPool.from_url(queue_url, max_connections=CONNECTIONS, timeout=30)
        super().__init__(f"async+{queue_url}", implementation="redispy", key_prefix=KEY_PREFIX,
                         connection_pool=self.pool)  # type: ignore[arg-type]  # documented; typed as scalars

    async def close(self) -> None:
        await self.pool.aclose()


@dataclass(frozen=True)
class SendLimits:
    per_bot: RateLimitItem = RateLimitItemPerSecond(30)
    per_chat: RateLimitItem = RateLimitItemPerSecond(1)
    per_group: RateLimitItem = RateLimitItemPerMinute(20)   # groups and channels, on top of per_chat
    floods: RateLimitItem = RateLimitItemPerSecond(2, 10)   # a third 429 in ten seconds: the whole bot is flooded

    @classmethod
    def from_settings(cls, settings: Settings) -> SendLimits:
        return cls(per_bot=RateLimitItemPerSecond(settings.bot_sends_per_second),
                   per_chat=RateLimitItemPerSecond(settings.chat_sends_per_second),
                   per_group=RateLimitItemPerMinute(settings.group_sends_per_minute))


@dataclass(frozen=True)
class Chat:
    key: str      # the chat id as Telegram was given it: a number, or @name for a channel or supergroup
    group: bool   # a group or channel: its per-group window applies too


class SharedSendBudget(BaseRateLimiter[int]):
    """Every Bot API call waits out any pause a 429 set (its chat's, the bot's), then, if it goes
    to a chat, for a turn in the chat's window (and its group's) and in the bot's, all in
    `storage`. A call that gets a 429
    is retried after the pause, up to `max_retries` times (or the call's `rate_limit_args`).
    The budget owns `storage` and closes it at shutdown."""

    def __init__(self, storage: Storage, bot_id: str, limits: SendLimits | None = None,
                 max_retries: int = 0) -> None:
        self.storage = storage
        self.bot_id = bot_id   # the token's public part: bots sharing a Redis keep apart budgets
        self.limits = limits or SendLimits()
        self.max_retries = max_retries
        self._windows = MovingWindowRateLimiter(storage)

    async def initialize(self) -> None:
        """Nothing to open: the storage connects on its first call."""

    async def shutdown(self) -> None:
        if isinstance(self.storage, SharedStorage):
            await self.storage.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONResult:
        chat = chat_of(data)
        retries = rate_limit_args or self.max_retries
        for attempt in range(retries + 1):
            await self._wait_for_pauses(chat)
            if chat is not None:
                await self._take_turn(chat)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as flood:
                seconds = retry_after(flood)
                log.info("%s to chat %s: 429, retry after %.0f s (try %d of %d)", endpoint,
                         chat.key if chat else "-", seconds, attempt + 1, retries + 1)
                await self._pause(chat, seconds)
                if attempt == retries:
                    raise
        raise AssertionError("the loop returns or raises")

    async def _take_turn(self, chat: Chat) -> None:
        """The chat's turn first, then the group's, then the bot's: a wait for the bot-wide
        window (milliseconds at 30 a second) holds no other chat's turn."""
        await self._acquire(self.limits.per_chat, "chat", chat.key)
        if chat.group:
            await self._acquire(self.limits.per_group, "group", chat.key)
        await self._acquire(self.limits.per_bot, "bot")

    async def _acquire(self, item: RateLimitItem, *identifiers: str) -> None:
        """Waits until `item`'s window has room, and takes it (an atomic check-and-take in Redis:
        processes racing for the last place get it once)."""
        while not await self._windows.hit(item, self.bot_id, *identifiers):
            stats = await self._windows.get_window_stats(item, self.bot_id, *identifiers)
            await asyncio.sleep(max(stats.reset_time - time.time(), SHORTEST_WAIT))

    async def _wait_for_pauses(self, chat: Chat | None) -> None:
        keys = [self._pause_key()] + ([self._pause_key(chat)] if chat is not None else [])
        while True:
            ends = [await self.storage.get_expiry(key) for key in keys]   # now, for a key that is not there
            wait = max(ends) - time.time()
            if wait <= 0:
                return
            await asyncio.sleep(wait + TTL_ROUNDING)

    async def _pause(self, chat: Chat | None, seconds: float) -> None:
        """Pauses `chat` for `seconds`, or every send when this is a flood of the whole bot;
        a longer pause already running stays."""
        flood = chat is None or not await self._windows.hit(self.limits.floods, self.bot_id, "floods")
        if seconds <= 0:
            return
        key = self._pause_key() if flood else self._pause_key(chat)
        if await self.storage.get_expiry(key) >= time.time() + seconds:
            return
        if flood:
            log.warning("Telegram flood control: every send paused for %.0f s", seconds)
        await self.storage.clear(key)
        await self.storage.incr(key, math.ceil(seconds))   # expires when the pause ends

    def _pause_key(self, chat: Chat | None = None) -> str:
        return f"pause/{self.bot_id}" + (f"/{chat.key}" if chat is not None else "")


def chat_of(data: dict[str, Any]) -> Chat | None:
    """The chat a Bot API call goes to, as PTB's AIORateLimiter decides it: a negative id or an
    @name is a group or channel (Telegram does not tell them apart by id)."""
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(ValueError, TypeError):
        chat_id = int(chat_id)
    return Chat(str(chat_id), not isinstance(chat_id, int) or chat_id < 0)


def retry_after(flood: RetryAfter) -> float:
    with warnings.catch_warnings():   # PTB 22 warns that the int it gives will become a timedelta
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = flood.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def bot_id(token: str) -> str:
    """The token's part before the colon: the bot's id, no secret."""
    return token.partition(":")[0]


def shared_send_budget(settings: Settings, max_retries: int = 0) -> SharedSendBudget:
    """The scaled-out bot's budget, on the queue's Redis."""
    return SharedSendBudget(SharedStorage(settings.queue_url), bot_id(settings.telegram_bot_token),
                            SendLimits.from_settings(settings), max_retries)
