"""Scheduled digests when scaled out: claimed in the database, so each runs once across all
instances (the in-memory JobQueue drives only the single process)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from bot.digests.schedule import next_run, parse_schedule
from bot.digests.service import DigestService
from bot.store.channels import Channel, ChannelStore

log = logging.getLogger(__name__)
CLAIM_EVERY = 20.0   # seconds between looks for due digests: a digest is at most this late


def next_run_at(channel: Channel, now: float) -> float | None:
    """Epoch seconds of the channel's next digest after `now`; None when it has no (valid) schedule."""
    if not channel.schedule:
        return None
    try:
        schedule = parse_schedule(channel.schedule, channel.timezone)
    except ValueError:
        log.warning("the schedule %r of channel %s is skipped", channel.schedule, channel.chat_id)
        return None
    return next_run(schedule, datetime.fromtimestamp(now, UTC)).timestamp()


def everywhere(chat_id: int) -> bool:
    return True


async def run_due(store: ChannelStore, digests: DigestService, now: float | None = None,
                  allowed: Callable[[int], bool] = everywhere) -> list[int]:
    """Claims the digests due by `now`, runs those of `allowed` channels (the operator's list may
    have dropped a channel attached before it), and returns the channels run."""
    now = time.time() if now is None else now
    await store.schedule_unscheduled(lambda channel: next_run_at(channel, now))
    due = [channel for channel in await store.claim_due(now, lambda channel: next_run_at(channel, now))
           if allowed(channel.chat_id)]
    for channel in due:
        try:
            await digests.run(channel)
        except Exception:  # one channel's failure must not stop the others
            log.exception("digest of %s failed", channel.chat_id)
    return [channel.chat_id for channel in due]


async def run_due_forever(store: ChannelStore, digests: DigestService, every: float = CLAIM_EVERY,
                          allowed: Callable[[int], bool] = everywhere) -> None:
    while True:
        await run_due(store, digests, allowed=allowed)
        await asyncio.sleep(every)
