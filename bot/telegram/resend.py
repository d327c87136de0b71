"""Bot API calls that survive a flaky Telegram: transient failures are retried, with bounded backoff.

Transient: a 5xx answer or a network error (python-telegram-bot's NetworkError, but
not BadRequest, which is our mistake and would fail again), and a 429 that is still
there after AIORateLimiter's own retries. Permanent failures (BadRequest, Forbidden)
are raised at once. A request that failed in transit may have reached Telegram: the
retried call is the same call, so an edit is idempotent; a send may, rarely, repeat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.request import HTTPXRequest, RequestData

from bot.metrics import TELEGRAM_ERRORS

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6          # tries in all, the first included: about 8 s of waiting in all
    first_delay: float = 0.25  # seconds before the second try; doubled each time
    max_delay: float = 30.0    # no wait longer than this, a 429's retry_after included


DEFAULT_POLICY = RetryPolicy()


def is_transient(error: Exception) -> bool:
    return isinstance(error, RetryAfter) or (isinstance(error, NetworkError) and not isinstance(error, BadRequest))


async def with_retries(call: Callable[[], Awaitable[T]], what: str, policy: RetryPolicy = DEFAULT_POLICY) -> T:
    """`call()`'s result; a transient failure is retried up to `policy.attempts` tries in all."""
    delay = policy.first_delay
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call()
        except (NetworkError, RetryAfter) as error:
            if not is_transient(error) or attempt == policy.attempts:
                raise
            wait = _retry_after(error) if isinstance(error, RetryAfter) else delay
            log.info("%s failed (%s), try %d of %d in %.1f s", what, error, attempt + 1, policy.attempts, wait)
            await asyncio.sleep(min(wait, policy.max_delay))
            delay *= 2
    raise AssertionError("the loop returns or raises")


def _retry_after(error: RetryAfter) -> float:
    value = error.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class MeteredRequest(HTTPXRequest):
    """PTB's HTTP requests to the Bot API, counting each 429 and 5xx answer (bot.metrics) before
    anyone (AIORateLimiter, with_retries) retries it, so the count is what Telegram said."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, method, request_data, *args, **kwargs)
        if status == 429 or status >= 500:
            TELEGRAM_ERRORS.labels("429" if status == 429 else "5xx", _method_name(url)).inc()
        return status, payload


def _method_name(url: str) -> str:
    """`sendMessage` from …/bot<token>/sendMessage (never the token); "file" for a file download."""
    last = url.rstrip("/").rpartition("/")[2]
    return last if last.isalpha() and "/file/" not in url else "file"
